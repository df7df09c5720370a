package dev.parley.browser;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.logging.LogEntry;

import dev.parley.ParleyServer;
import dev.parley.support.TestServer;

import static dev.parley.browser.Browser.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two people chat through the page served at "/", under the server's Content-Security-Policy.
 * The two browsers are shared by the tests (starting chromium is the slow part); each test
 * signs in afresh, in a room of its own.
 */
class ChatPageTest {
    private static ParleyServer server;
    private static String base;
    private static Browser alice;
    private static Browser bob;

    @BeforeAll
    static void start() {
        Browser.requireChromium();
        // A short backlog on join, so "Load older" has pages to fetch.
        server = TestServer.start(Map.of("parley.history.on-join", "10"));
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

    @BeforeEach
    void desktopSize() {
        alice.resize(1200, 800);
        bob.resize(1200, 800);
    }

    @Test
    void twoPeopleSeeEachOthersMessagesAndPresence() {
        bob.resize(390, 760);
        alice.signIn(base, "alice", "team");
        bob.signIn(base, "bob", "team");
        await().atMost(WAIT).until(() -> alice.members().equals(List.of("alice", "bob")));

        alice.send("Hi Bob! The new build is up, have a look when you can.");
        await().atMost(WAIT).until(() -> bob.texts().size() == 1);
        bob.send("On it — https://example.com/build/42 looks good so far.\nOne question about reconnects though.");
        await().atMost(WAIT).until(() -> alice.texts().size() == 2);
        alice.send("Sure, ask away");
        await().atMost(WAIT).until(() -> bob.texts().size() == 3);
        bob.send("Does a dropped tab get the messages it missed?");
        await().atMost(WAIT).until(() -> alice.texts().size() == 4);
        alice.send("Yes: it resumes from the last seq it saw, so nothing is lost or shown twice.");
        await().atMost(WAIT).until(() -> alice.texts().size() == 5 && bob.texts().size() == 5);

        assertThat(alice.texts()).isEqualTo(bob.texts());
        assertThat(bob.messages().get(1).text())
                .isEqualTo("On it — https://example.com/build/42 looks good so far.\nOne question about reconnects though.");
        assertThat(alice.messages()).extracting(Browser.Shown::own).containsExactly(true, false, true, false, true);
        assertThat(bob.messages()).extracting(Browser.Shown::own).containsExactly(false, true, false, true, false);
        assertThat(alice.messages().get(1).from()).isEqualTo("bob");
        await().atMost(WAIT).until(() -> alice.messages().stream().allMatch(m -> m.state().equals("acked")));

        Path shots = Path.of("target", "browser");
        alice.screenshot(shots.resolve("two-people-desktop.png"));
        bob.screenshot(shots.resolve("two-people-phone.png"));

        // Everything above ran under the server's CSP: a violation would be in the console.
        assertThat(alice.console()).extracting(LogEntry::getMessage).noneMatch(m -> m.contains("Content Security Policy"));
        assertThat(bob.console()).filteredOn(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).isEmpty();

        bob.leavePage();
        await().atMost(WAIT).until(() -> alice.members().equals(List.of("alice")));
    }

    @Test
    void markupIsShownAsTextAndNeverRuns() {
        String attack = "<img src=x onerror=alert(1)>";
        alice.signIn(base, "alice", "markup");
        bob.signIn(base, "<b>mallory</b>", "markup");
        bob.send(attack);
        await().atMost(WAIT).until(() -> alice.texts().equals(List.of(attack)));

        assertThat(alice.inMessages("img")).isEmpty();
        assertThat(alice.inMessages("b")).isEmpty();
        assertThat(alice.messages().getFirst().from()).isEqualTo("<b>mallory</b>");
        assertThat(alice.members()).contains("<b>mallory</b>");
        assertThatThrownBy(() -> alice.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    @Test
    void aSendIsPendingUntilTheServerAcksIt() {
        try (TcpProxy network = new TcpProxy(server.port())) {
            alice.signIn("http://127.0.0.1:" + network.port() + "/", "alice", "acks");
            network.pause();
            alice.send("held back by the network");
            await().atMost(WAIT).until(() -> alice.messages().size() == 1);
            assertThat(alice.messages().getFirst().state()).isEqualTo("pending");
            assertThat(alice.inMessages(".state").getFirst().getText()).isEqualTo("Sending…");

            network.resume();
            await().atMost(WAIT).until(() -> alice.messages().getFirst().state().equals("acked"));
            assertThat(alice.texts()).containsExactly("held back by the network");
            assertThat(alice.inMessages(".state")).isEmpty();
        }
    }

    @Test
    void serverErrorsAreShownInPlainWords() {
        alice.signIn(base, "alice", "errors");
        // A burst far beyond parley.rate.burst: the server drops the surplus with rate_limited.
        alice.driver().executeScript("""
                const input = document.getElementById('input');
                for (let i = 0; i < 60; i++) {
                  input.value = 'burst ' + i;
                  input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
                }""");
        await().atMost(WAIT).until(() -> alice.messages().stream().anyMatch(m -> m.state().equals("failed")));
        assertThat(alice.inMessages(".failed .state").getFirst().getText())
                .contains("Not sent. You are sending messages too quickly.")
                .contains("Retry");
    }

    @Test
    void olderMessagesLoadOnRequest() {
        bob.signIn(base, "bob", "archive");
        for (int i = 1; i <= 25; i++) {
            bob.send("line " + i);
        }
        await().atMost(WAIT).until(() -> bob.messages().size() == 25
                                          && bob.messages().stream().allMatch(m -> m.state().equals("acked")));

        alice.signIn(base, "alice", "archive");
        await().atMost(WAIT).until(() -> alice.texts().size() == 10);
        assertThat(alice.texts().getFirst()).isEqualTo("line 16");
        alice.driver().findElement(By.id("load-older")).click();
        await().atMost(WAIT).until(() -> alice.texts().size() == 25);
        assertThat(alice.texts()).isEqualTo(bob.texts());
        await().atMost(WAIT).until(() -> alice.driver().findElement(By.id("history-note")).getText()
                .equals("This is the beginning of #archive."));
        assertThat(alice.driver().findElement(By.id("load-older")).isDisplayed()).isFalse();
    }

    @Test
    void roomsSwitchAndCountWhatIsUnread() {
        alice.signIn(base, "alice", "north");
        bob.signIn(base, "bob", "north");
        alice.driver().findElement(By.id("room-input")).sendKeys("south\n");
        await().atMost(WAIT).until(() -> alice.driver().getCurrentUrl().endsWith("#south")
                                          && alice.members().equals(List.of("alice")));

        bob.send("psst, back in north");
        await().atMost(WAIT).until(() -> alice.driver()
                .findElements(By.cssSelector("#rooms a[href='#north'] .badge")).size() == 1);
        assertThat(alice.driver().getTitle()).isEqualTo("(1) #south · Parley");
        assertThat(alice.texts()).isEmpty();

        alice.driver().findElement(By.cssSelector("#rooms a[href='#north']")).click();
        await().atMost(WAIT).until(() -> alice.texts().equals(List.of("psst, back in north")));
        assertThat(alice.driver().findElements(By.cssSelector("#rooms .badge"))).isEmpty();
        assertThat(alice.driver().getTitle()).isEqualTo("#north · Parley");
    }

    @Test
    void readingOlderMessagesIsNotInterruptedByNewOnes() {
        alice.signIn(base, "alice", "scroll");
        bob.signIn(base, "bob", "scroll");
        bob.driver().executeScript("""
                const input = document.getElementById('input');
                for (let i = 1; i <= 30; i++) {
                  input.value = 'filler ' + i;
                  input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
                }""");
        await().atMost(WAIT).until(() -> alice.texts().size() == 30);
        await().atMost(WAIT).until(() -> scrollTop(alice) > 0); // it followed the conversation down

        alice.driver().executeScript("document.getElementById('scroller').scrollTop = 0");
        bob.send("something new");
        await().atMost(WAIT).until(() -> alice.texts().size() == 31);
        By jump = By.id("jump");
        await().atMost(WAIT).until(() -> alice.driver().findElement(jump).isDisplayed());
        assertThat(scrollTop(alice)).isZero();
        assertThat(alice.driver().findElement(jump).getText()).isEqualTo("↓ 1 new message");

        alice.driver().findElement(jump).click();
        await().atMost(WAIT).until(() -> !alice.driver().findElement(jump).isDisplayed());
        assertThat(((Number) alice.driver().executeScript(
                "const s = document.getElementById('scroller'); return s.scrollHeight - s.scrollTop - s.clientHeight"))
                .doubleValue()).isLessThan(2);
    }

    private static double scrollTop(Browser browser) {
        return ((Number) browser.driver().executeScript("return document.getElementById('scroller').scrollTop")).doubleValue();
    }
}
