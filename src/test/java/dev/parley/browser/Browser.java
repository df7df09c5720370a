package dev.parley.browser;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One person at the chat page: Debian's headless chromium driven through /usr/bin/chromedriver,
 * with its own fresh profile. Both paths are given explicitly, so Selenium Manager never runs
 * and nothing is downloaded.
 */
final class Browser implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    // Selenium warns that it has no DevTools bindings for this chromium; the tests use none.
    // Held in a field: java.util.logging keeps loggers weakly, and a collected one forgets its level.
    private static final Logger SELENIUM_LOG = Logger.getLogger("org.openqa.selenium");

    static {
        SELENIUM_LOG.setLevel(Level.SEVERE);
    }

    private final ChromeDriver driver;
    private final Path profile;

    /** Skips when chromium is absent, unless CI asks for it (-Dparley.requireExternal=true): then fails. */
    static void requireChromium() {
        if (CHROMIUM.canExecute() && CHROMEDRIVER.canExecute()) {
            return;
        }
        String why = "browser tests need /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)";
        if (Boolean.getBoolean("parley.requireExternal")) {
            fail(why);
        }
        Assumptions.abort(why);
    }

    /** A desktop-sized window with a fresh profile. */
    static Browser open() {
        try {
            return new Browser(Files.createTempDirectory("parley-chromium-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Browser(Path profile) {
        this.profile = profile;
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                              "--disable-background-networking", "--disable-component-update", "--disable-sync",
                              "--hide-scrollbars", "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        resize(1200, 800);
    }

    /** Sets the page's viewport (not the window, whose frame differs between chromium versions). */
    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        // The window's frame (outer minus inner), read in one snapshot from the page: right even
        // when the page still reports the size from before the first resize.
        Map<?, ?> size = (Map<?, ?>) driver.executeScript(
                "return {w: innerWidth, h: innerHeight, ow: outerWidth, oh: outerHeight}");
        int frameW = ((Number) size.get("ow")).intValue() - ((Number) size.get("w")).intValue();
        int frameH = ((Number) size.get("oh")).intValue() - ((Number) size.get("h")).intValue();
        driver.manage().window().setSize(new Dimension(width + frameW, height + frameH));
    }

    /**
     * Opens the page on {@code room} and signs in as {@code name}, as a newcomer: what earlier
     * tests left in this browser's storage and console is gone.
     */
    void signIn(String baseUrl, String name, String room) {
        driver.get(baseUrl + "favicon.svg");
        driver.executeScript("sessionStorage.clear(); localStorage.clear()");
        console();
        driver.get(baseUrl + "#" + room);
        WebElement nameInput = driver.findElement(By.id("login-name"));
        await().atMost(WAIT).until(nameInput::isDisplayed);
        nameInput.sendKeys(name);
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        await().atMost(WAIT).until(() -> "online".equals(status()) && members().contains(name));
    }

    /** Emulates the system's colour scheme preference ("light" or "dark") for this page. */
    void colorScheme(String scheme) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /** Grants {@code origin} the permission to show desktop notifications, as a person clicking "Allow" would. */
    void allowNotifications(String origin) {
        driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", origin, "permissions", List.of("notifications")));
    }

    /** DevTools network emulation: offline makes navigator.onLine false and fires the page's `offline` event. */
    void offline(boolean offline) {
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of(
                "offline", offline, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
    }

    /** Runs {@code js} in the page and returns its result. */
    Object script(String js, Object... args) {
        return driver.executeScript(js, args);
    }

    /** Closes the page, and with it its connection. */
    void leavePage() {
        driver.get("about:blank");
    }

    /** Types {@code text} into the message box and presses Enter. */
    void send(String text) {
        WebElement input = driver.findElement(By.id("input"));
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                input.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
            }
            input.sendKeys(lines[i]);
        }
        input.sendKeys(Keys.ENTER);
    }

    /** The messages on screen, top to bottom, as the page shows them. */
    List<Shown> messages() {
        List<?> rows = (List<?>) driver.executeScript("""
                return [...document.querySelectorAll('#messages li.msg')].map(li => ({
                  text: li.querySelector('.text').textContent,
                  from: li.querySelector('.from').textContent,
                  own: li.classList.contains('own'),
                  state: li.dataset.state }))""");
        return rows.stream().map(r -> (Map<?, ?>) r)
                .map(r -> new Shown((String) r.get("from"), (String) r.get("text"), (Boolean) r.get("own"),
                                    (String) r.get("state")))
                .toList();
    }

    List<String> texts() {
        return messages().stream().map(Shown::text).toList();
    }

    /** Names in the "Online" list. */
    @SuppressWarnings("unchecked")
    List<String> members() {
        return (List<String>) driver.executeScript(
                "return [...document.querySelectorAll('#members .name')].map(n => n.textContent)");
    }

    /** The connection state the page shows: connecting, online, reconnecting or offline. */
    String status() {
        return driver.findElement(By.id("status")).getDomAttribute("data-state");
    }

    String statusText() {
        return driver.findElement(By.id("status-text")).getText();
    }

    /** Elements matching {@code css} inside the message list. */
    List<WebElement> inMessages(String css) {
        return driver.findElements(By.cssSelector("#messages " + css));
    }

    /** What the browser console said, for example Content-Security-Policy violations. */
    List<LogEntry> console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    ChromeDriver driver() {
        return driver;
    }

    void screenshot(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover profile in /tmp is harmless; the test result is what matters.
        }
    }

    /** One message as shown: sender label ("You" for your own), text, own or not, and its state. */
    record Shown(String from, String text, boolean own, String state) {
    }
}
