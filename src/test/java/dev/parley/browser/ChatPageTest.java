package dev.parley.browser;

import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.logging.LogEntry;

import dev.parley.ParleyServer;
import dev.parley.support.TestServer;

import static dev.parley.browser.Browser.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Two people chat through the page served at "/", under its Content-Security-Policy. */
class ChatPageTest {
    private static ParleyServer server;
    private static String base;

    @BeforeAll
    static void start() {
        Browser.requireChromium();
        server = TestServer.start();
        base = "http://127.0.0.1:" + server.port() + "/";
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void twoPeopleSeeEachOthersMessagesAndPresence() {
        try (Browser alice = Browser.open(); Browser bob = Browser.open(390, 760)) {
            alice.signIn(base, "alice", "team");
            bob.signIn(base, "bob", "team");
            await().atMost(WAIT).until(() -> alice.members().equals(List.of("alice", "bob")));

            alice.send("Hi Bob! The new build is up, have a look when you can.");
            await().atMost(WAIT).until(() -> bob.texts().size() == 1);
            bob.send("On it — https://example.com/build/42 looks good so far.\nOne question about reconnects though.");
            alice.send("Sure, ask away");
            bob.send("Does a dropped tab get the messages it missed?");
            alice.send("Yes: it resumes from the last seq it saw, so nothing is lost or shown twice.");
            await().atMost(WAIT).until(() -> alice.texts().size() == 5 && bob.texts().size() == 5);

            assertThat(alice.texts()).isEqualTo(bob.texts());
            assertThat(bob.messages().get(1).text())
                    .isEqualTo("On it — https://example.com/build/42 looks good so far.\nOne question about reconnects though.");
            assertThat(alice.messages()).extracting(Browser.Shown::own).containsExactly(true, false, true, false, true);
            assertThat(bob.messages()).extracting(Browser.Shown::own).containsExactly(false, true, false, true, false);
            assertThat(alice.messages().get(1).from()).isEqualTo("bob");
            assertThat(alice.messages()).extracting(Browser.Shown::state).containsOnly("acked");

            Path shots = Path.of("target", "browser");
            alice.screenshot(shots.resolve("two-people-desktop.png"));
            bob.screenshot(shots.resolve("two-people-phone.png"));

            // Everything above ran under the server's CSP: a violation would be in the console.
            assertThat(alice.console()).extracting(LogEntry::getMessage).noneMatch(m -> m.contains("Content Security Policy"));
            assertThat(bob.console()).filteredOn(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).isEmpty();

            bob.close();
            await().atMost(WAIT).until(() -> alice.members().equals(List.of("alice")));
        }
    }

    @Test
    void markupIsShownAsTextAndNeverRuns() {
        String attack = "<img src=x onerror=alert(1)>";
        try (Browser alice = Browser.open(); Browser mallory = Browser.open()) {
            alice.signIn(base, "alice", "markup");
            mallory.signIn(base, "<b>mallory</b>", "markup");
            mallory.send(attack);
            await().atMost(WAIT).until(() -> alice.texts().equals(List.of(attack)));

            assertThat(alice.inMessages("img")).isEmpty();
            assertThat(alice.inMessages("b")).isEmpty();
            assertThat(alice.messages().getFirst().from()).isEqualTo("<b>mallory</b>");
            assertThat(alice.members()).contains("<b>mallory</b>");
            assertThatThrownBy(() -> alice.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        }
    }

    @Test
    void aSendIsPendingUntilTheServerAcksIt() {
        try (TcpProxy proxy = new TcpProxy(server.port()); Browser alice = Browser.open()) {
            alice.signIn("http://127.0.0.1:" + proxy.port() + "/", "alice", "acks");
            proxy.pause();
            alice.send("held back by the network");
            await().atMost(WAIT).until(() -> alice.messages().size() == 1);
            assertThat(alice.messages().getFirst().state()).isEqualTo("pending");
            assertThat(alice.inMessages(".state").getFirst().getText()).isEqualTo("Sending…");

            proxy.resume();
            await().atMost(WAIT).until(() -> alice.messages().getFirst().state().equals("acked"));
            assertThat(alice.texts()).containsExactly("held back by the network");
            assertThat(alice.inMessages(".state")).isEmpty();
        }
    }

    @Test
    void serverErrorsAreShownInPlainWords() {
        try (Browser alice = Browser.open()) {
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
    }
}
