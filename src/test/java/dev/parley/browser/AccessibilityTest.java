package dev.parley.browser;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static dev.parley.browser.Browser.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page for everyone: axe-core finds nothing serious or critical on the sign-in screen, the
 * chat (light and dark) and the phone layout; on a phone every control is a 44 px target, nothing
 * scrolls sideways, and the closed drawer takes no keyboard focus. Also keeps the README's
 * screenshots current (docs/screenshot.png, docs/screenshot-dark.png, under target/browser).
 */
class AccessibilityTest {
    private static ParleyServer server;
    private static String base;
    private static String axe;
    private static Browser alice;
    private static Browser bob;

    @BeforeAll
    static void start() {
        Browser.requireChromium();
        axe = Axe.script();
        server = TestServer.start();
        base = "http://127.0.0.1:" + server.port() + "/";
        alice = Browser.open();
        bob = Browser.open();
    }

    @AfterAll
    static void stop() {
        try (Browser a = alice; Browser b = bob) {
            if (server != null) {
                server.stop();
            }
        }
    }

    @Test
    void theSignInScreenHasNoSeriousViolations() {
        alice.resize(1200, 800);
        alice.driver().get(base + "favicon.svg");
        alice.script("sessionStorage.clear(); localStorage.clear()");
        alice.driver().get(base + "#a11y");
        await().atMost(WAIT).until(() -> alice.driver().findElement(By.id("login-name")).isDisplayed());
        assertThat(Axe.seriousViolations(alice, axe)).isEmpty();
        alice.colorScheme("dark");
        assertThat(Axe.seriousViolations(alice, axe)).isEmpty();
        alice.colorScheme("light");
    }

    @Test
    void theChatHasNoSeriousViolationsInLightAndDark() {
        alice.resize(1200, 760);
        try (ChatClient carol = ChatClient.open(TestServer.ws(server))) {
            alice.signIn(base, "alice", "releases");
            carol.join("releases", "carol");
            alice.driver().findElement(By.id("room-input")).sendKeys("design\n");
            await().atMost(WAIT).until(() -> alice.driver().getCurrentUrl().endsWith("#design"));
            carol.join("design", "carol");
            bob.signIn(base, "bob", "design");

            carol.sayAndAwaitAck("design", "Morning! The new onboarding mockups are in the shared folder.");
            await().atMost(WAIT).until(() -> alice.texts().size() == 1);
            alice.send("Nice, the empty states look much friendlier now.");
            await().atMost(WAIT).until(() -> bob.texts().size() == 2);
            bob.send("Agreed. @alice could you check the dark theme before Friday?");
            await().atMost(WAIT).until(() -> alice.texts().size() == 3);
            alice.send("On it: axe-core reports nothing serious so far.");
            await().atMost(WAIT).until(() -> bob.texts().size() == 4);
            carol.sayAndAwaitAck("design", "For reference: https://example.com/mockups/onboarding-v3");
            carol.sayAndAwaitAck("releases", "4.2 is tagged.");
            carol.sayAndAwaitAck("releases", "@alice the changelog needs your sign-off");
            await().atMost(WAIT).until(() -> alice.texts().size() == 5
                                              && alice.messages().stream().allMatch(m -> m.state().equals("acked"))
                                              && !alice.driver().findElements(By.cssSelector("#rooms .badge.mentions")).isEmpty());

            assertThat(Axe.seriousViolations(alice, axe)).isEmpty();
            alice.screenshot(Path.of("target", "browser", "screenshot.png"));
            alice.colorScheme("dark");
            await().atMost(WAIT).until(() -> background(alice).equals("rgb(22, 24, 34)"));
            assertThat(Axe.seriousViolations(alice, axe)).isEmpty();
            alice.screenshot(Path.of("target", "browser", "screenshot-dark.png"));
            alice.colorScheme("light");
        }
        alice.resize(1200, 800);
    }

    @Test
    void darkModeFollowsTheSystemUntilTheToggleChoosesAndIsRemembered() {
        alice.resize(1200, 800);
        alice.signIn(base, "alice", "theme");
        alice.colorScheme("dark");
        assertThat(background(alice)).isEqualTo("rgb(22, 24, 34)");
        alice.colorScheme("light");
        assertThat(background(alice)).isEqualTo("rgb(244, 245, 249)");

        WebElement toggle = alice.driver().findElement(By.id("theme"));
        assertThat(toggle.getDomAttribute("aria-pressed")).isEqualTo("false");
        toggle.click();
        assertThat(background(alice)).isEqualTo("rgb(22, 24, 34)");
        assertThat(toggle.getDomAttribute("aria-pressed")).isEqualTo("true");

        alice.driver().navigate().refresh(); // the choice outlives the page, whatever the system says
        await().atMost(WAIT).until(() -> "online".equals(alice.status()));
        assertThat(background(alice)).isEqualTo("rgb(22, 24, 34)");
        alice.driver().findElement(By.id("theme")).click();
        alice.colorScheme("dark");
        assertThat(background(alice)).isEqualTo("rgb(244, 245, 249)");
        alice.colorScheme("light");
    }

    @Test
    void onAPhoneTargetsAreLargeNothingScrollsSidewaysAndTheClosedDrawerIsOutOfReach() {
        alice.resize(390, 844);
        converse("a11y-phone");
        assertThat(Axe.seriousViolations(alice, axe)).isEmpty();
        assertThat(sideways(alice)).isEqualTo(0L);
        assertThat(smallTargets(alice)).isEmpty();

        // Tabbing through the whole page never lands in the closed drawer.
        List<String> visited = new ArrayList<>();
        alice.script("document.activeElement.blur()");
        for (int i = 0; i < 20; i++) {
            new Actions(alice.driver()).sendKeys(Keys.TAB).perform();
            visited.add((String) alice.script("""
                    const a = document.activeElement;
                    return (a.closest('#sidebar') ? 'sidebar:' : '') + (a.id || a.tagName)"""));
        }
        assertThat(visited).noneMatch(v -> v.startsWith("sidebar:")).contains("input", "menu");

        alice.driver().findElement(By.id("menu")).click();
        await().atMost(WAIT).until(() -> (Boolean) alice.script("return !!document.activeElement.closest('#sidebar')"));
        assertThat(Axe.seriousViolations(alice, axe)).isEmpty();
        assertThat(smallTargets(alice)).isEmpty();
        new Actions(alice.driver()).sendKeys(Keys.ESCAPE).perform();
        await().atMost(WAIT).until(() -> "menu".equals(alice.script("return document.activeElement.id")));
        assertThat(alice.driver().findElement(By.id("sidebar")).getDomProperty("inert")).isEqualTo("true");
        alice.screenshot(Path.of("target", "browser", "phone.png"));
        alice.resize(1200, 800);
    }

    /** Alice and Bob exchange a few lines in {@code room}, one of them mentioning her. */
    private static void converse(String room) {
        alice.signIn(base, "alice", room);
        bob.signIn(base, "bob", room);
        alice.send("Morning! The release notes are up for review.");
        await().atMost(WAIT).until(() -> bob.texts().size() == 1);
        bob.send("Thanks @alice, reading them now. https://example.com/notes/4.2");
        await().atMost(WAIT).until(() -> alice.texts().size() == 2);
        alice.send("Ping me if anything reads oddly.");
        await().atMost(WAIT).until(() -> alice.texts().size() == 3
                                          && alice.messages().stream().allMatch(m -> m.state().equals("acked")));
    }

    private static String background(Browser browser) {
        return (String) browser.script("return getComputedStyle(document.documentElement).backgroundColor");
    }

    private static Object sideways(Browser browser) {
        return browser.script("return Math.max(0, document.documentElement.scrollWidth - innerWidth, "
                              + "document.getElementById('scroller').scrollWidth - document.getElementById('scroller').clientWidth)");
    }

    /** Visible controls smaller than 44 × 44 px; links inside message text are words, not targets. */
    @SuppressWarnings("unchecked")
    private static List<String> smallTargets(Browser browser) {
        return (List<String>) browser.script("""
                return [...document.querySelectorAll('button, a, input, select, textarea, [tabindex]')]
                  .filter(e => !e.closest('.text, [inert], [hidden]') && e.tabIndex >= 0)
                  .map(e => [e, e.getBoundingClientRect()])
                  .filter(([e, r]) => r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth)
                  .filter(([e, r]) => r.width < 44 || r.height < 44)
                  .map(([e, r]) => (e.id || e.className || e.tagName) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))""");
    }
}
