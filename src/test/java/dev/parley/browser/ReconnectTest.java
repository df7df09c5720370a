package dev.parley.browser;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import dev.parley.ParleyServer;
import dev.parley.support.TestServer;

import static dev.parley.browser.Browser.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page survives a lost connection: it says so, comes back by itself, and then shows every
 * message sent meanwhile exactly once, its own un-acked sends included.
 */
class ReconnectTest {
    private static Browser alice;
    private static Browser bob;

    @BeforeAll
    static void open() {
        Browser.requireChromium();
        alice = Browser.open();
        bob = Browser.open();
    }

    @AfterAll
    static void close() {
        try (Browser a = alice; Browser b = bob) {
            // both closed, even if one fails
        }
    }

    @Test
    void aDroppedSocketResumesWithExactlyTheMessagesSentMeanwhile() {
        ParleyServer server = TestServer.start();
        try (TcpProxy aliceNetwork = new TcpProxy(server.port())) {
            alice.signIn("http://127.0.0.1:" + aliceNetwork.port() + "/", "alice", "drop");
            bob.signIn("http://127.0.0.1:" + server.port() + "/", "bob", "drop");
            bob.send("before the drop");
            await().atMost(WAIT).until(() -> alice.texts().equals(List.of("before the drop")));

            aliceNetwork.cut();
            await().atMost(WAIT).until(() -> alice.statusText().startsWith("Reconnecting"));
            await().atMost(WAIT).until(() -> bob.members().equals(List.of("bob")));
            bob.send("while away 1");
            bob.send("while away 2");
            bob.send("while away 3");
            alice.send("typed while offline");
            await().atMost(WAIT).until(() -> bob.texts().size() == 4 && alice.texts().size() == 2);
            assertThat(alice.messages().getLast().state()).isEqualTo("pending");

            aliceNetwork.restore();
            await().atMost(WAIT).until(() -> "online".equals(alice.status()));
            await().atMost(WAIT).until(() -> alice.texts().size() == 5 && bob.texts().size() == 5);

            assertThat(alice.texts()).containsExactly(
                    "before the drop", "while away 1", "while away 2", "while away 3", "typed while offline");
            assertThat(bob.texts()).isEqualTo(alice.texts());
            await().atMost(WAIT).until(() -> alice.messages().getLast().state().equals("acked"));
            assertThat(alice.members()).containsExactly("alice", "bob");
        } finally {
            server.stop();
        }
    }

    @Test
    void aServerRestartOnTheSamePortIsSurvived() {
        ParleyServer first = TestServer.start();
        int port = first.port();
        String base = "http://127.0.0.1:" + port + "/";
        ParleyServer second = null;
        try {
            alice.signIn(base, "alice", "restart");
            bob.signIn(base, "bob", "restart");
            alice.send("before the restart");
            await().atMost(WAIT).until(() -> bob.texts().equals(List.of("before the restart")));

            first.shutdown();
            await().atMost(WAIT).until(() -> alice.statusText().startsWith("Reconnecting")
                                              && bob.statusText().startsWith("Reconnecting"));
            alice.send("sent during the restart");
            await().atMost(WAIT).until(() -> alice.texts().size() == 2);
            assertThat(alice.messages().getLast().state()).isEqualTo("pending");

            second = TestServer.start(Map.of("server.port", String.valueOf(port)));
            await().atMost(WAIT).until(() -> "online".equals(alice.status()) && "online".equals(bob.status()));
            await().atMost(WAIT).until(() -> bob.texts().size() == 2);
            await().atMost(WAIT).until(() -> alice.messages().getLast().state().equals("acked"));

            // The new server has a new epoch and no history: what was on screen stays, once.
            List<String> expected = List.of("before the restart", "sent during the restart");
            assertThat(alice.texts()).isEqualTo(expected);
            assertThat(bob.texts()).isEqualTo(expected);
            assertThat(alice.inMessages(".notice")).hasSize(1);
            await().atMost(WAIT).until(() -> alice.members().equals(List.of("alice", "bob")));
        } finally {
            first.stop();
            if (second != null) {
                second.stop();
            }
        }
    }

    @Test
    void aFiveSecondOutageIsShownAndHealsWithNothingLostOrDoubled() throws InterruptedException {
        // The default heartbeat (25 s): the page must not wait for the server's pings to notice.
        ParleyServer server = TestServer.start();
        try (TcpProxy aliceNetwork = new TcpProxy(server.port())) {
            alice.signIn("http://127.0.0.1:" + aliceNetwork.port() + "/", "alice", "outage");
            bob.signIn("http://127.0.0.1:" + server.port() + "/", "bob", "outage");
            bob.send("before the outage");
            await().atMost(WAIT).until(() -> alice.texts().equals(List.of("before the outage")));

            long start = System.nanoTime();
            aliceNetwork.pause(); // nothing moves either way, and the browser is not told
            await().atMost(Duration.ofSeconds(10)).until(() -> !"online".equals(alice.status()));
            long noticedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(noticedMs).as("time to leave Online").isLessThan(5_500);
            assertThat(alice.driver().findElement(By.id("people")).getDomAttribute("class")).contains("stale");
            assertThat(alice.driver().findElement(By.id("people-stale")).isDisplayed()).isTrue();

            bob.send("during the outage");
            alice.send("typed during the outage");
            // The outage itself lasts five seconds: that is the scenario, not a wait for a condition.
            Thread.sleep(Math.max(0, 5_000 - (System.nanoTime() - start) / 1_000_000));
            aliceNetwork.resume();

            await().atMost(WAIT).until(() -> "online".equals(alice.status()));
            List<String> expected = List.of("before the outage", "during the outage", "typed during the outage");
            await().atMost(WAIT).until(() -> alice.texts().equals(expected) && bob.texts().equals(expected));
            await().atMost(WAIT).until(() -> alice.messages().getLast().state().equals("acked"));
            assertThat(alice.driver().findElement(By.id("people")).getDomAttribute("class")).doesNotContain("stale");
            assertThat(alice.members()).containsExactly("alice", "bob");
        } finally {
            server.stop();
        }
    }

    @Test
    void theBrowserGoingOfflineIsShownAtOnceAndHealsWhenItComesBack() {
        ParleyServer server = TestServer.start();
        try (TcpProxy aliceNetwork = new TcpProxy(server.port())) {
            alice.signIn("http://127.0.0.1:" + aliceNetwork.port() + "/", "alice", "offline");
            bob.signIn("http://127.0.0.1:" + server.port() + "/", "bob", "offline");

            // The network goes (nothing moves any more) and the browser knows it (navigator.onLine):
            // the page asks the server at once instead of waiting for its next quiet-time probe.
            long start = System.nanoTime();
            aliceNetwork.pause();
            alice.offline(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> !"online".equals(alice.status()));
            assertThat((System.nanoTime() - start) / 1_000_000).as("time to leave Online").isLessThan(3_000);
            bob.send("while you were offline");

            alice.offline(false);
            aliceNetwork.resume();
            await().atMost(WAIT).until(() -> "online".equals(alice.status()));
            await().atMost(WAIT).until(() -> alice.texts().equals(List.of("while you were offline")));
            assertThat(alice.members()).containsExactly("alice", "bob");
        } finally {
            alice.offline(false);
            server.stop();
        }
    }

    @Test
    void messagesTheNewServerRefusesAreMarkedOnceAndCanBeDiscardedTogether() {
        ParleyServer first = TestServer.start();
        int port = first.port();
        ParleyServer second = null;
        try {
            alice.signIn("http://127.0.0.1:" + port + "/", "alice", "refused");
            first.shutdown();
            await().atMost(WAIT).until(() -> alice.statusText().startsWith("Reconnecting"));
            String longer = "This sentence is longer than the restarted server allows.";
            alice.send(longer + " One.");
            alice.send("short");
            alice.send(longer + " Two.");

            // Restarted with a smaller limit: the resent long ones are refused for good.
            second = TestServer.start(Map.of("server.port", String.valueOf(port), "parley.max-text-chars", "40"));
            await().atMost(WAIT).until(() -> alice.inMessages("li.failed").size() == 2
                                              && alice.messages().stream().anyMatch(m -> m.text().equals("short")
                                                                                         && m.state().equals("acked")));
            assertThat(alice.inMessages("li.failed .state").getFirst().getText())
                    .startsWith("Not sent. This message is too long: the limit is 40 characters.")
                    .contains("Delete").doesNotContain("Retry");
            WebElement all = alice.driver().findElement(By.id("failed-all"));
            assertThat(all.getText()).startsWith("2 messages not sent.").contains("Discard all").doesNotContain("Retry all");
            all.findElement(By.xpath(".//button[.='Discard all']")).click();
            await().atMost(WAIT).until(() -> alice.texts().equals(List.of("short")));
            assertThat(alice.driver().findElement(By.id("failed-all")).isDisplayed()).isFalse();
        } finally {
            first.stop();
            if (second != null) {
                second.stop();
            }
        }
    }

    @Test
    void aSilentlyDeadConnectionIsNoticedByTheHeartbeat() {
        // A 1 s heartbeat makes the page give up on an unanswered ping after 1.4 s instead of 35 s.
        ParleyServer server = TestServer.start(Map.of("parley.heartbeat", "PT1S"));
        try (TcpProxy aliceNetwork = new TcpProxy(server.port())) {
            alice.signIn("http://127.0.0.1:" + aliceNetwork.port() + "/", "alice", "silence");
            bob.signIn("http://127.0.0.1:" + server.port() + "/", "bob", "silence");
            int connections = aliceNetwork.accepted();

            aliceNetwork.freeze();
            bob.send("can you hear me?");
            // Only a new connection can bring this message: the frozen one carries nothing.
            await().atMost(WAIT).until(() -> alice.texts().equals(List.of("can you hear me?")));
            assertThat(aliceNetwork.accepted()).isGreaterThan(connections);
            assertThat(alice.status()).isEqualTo("online");
        } finally {
            server.stop();
        }
    }
}
