package dev.parley.browser;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
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

    /** A room bigger than one join's list: the count at once, every name when asked, changes in batches. */
    @Test
    void aBigRoomShowsTheCountAndLoadsEveryNameWhenAsked() {
        int others = 130;
        List<ChatClient> crowd = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < others; i++) {
                crowd.add(ChatClient.joined(TestServer.ws(server), "crowd", String.format("c%03d", i)));
            }
            // The joins past 100 go out as one batch; once it has, alice's join lists exactly 100 names.
            crowd.getFirst().next(m -> "presence".equals(m.path("type").asText()) && m.path("count").asInt() == others,
                                  "the crowd's last batch");
            alice.signIn(base, "alice", "crowd");
            await().atMost(WAIT).until(() -> String.valueOf(others + 1).equals(alice.driver().findElement(By.id("member-count")).getText()));
            assertThat(alice.members()).hasSize(100);
            WebElement showAll = alice.driver().findElement(By.cssSelector("#members .more-members button"));
            assertThat(showAll.getText()).isEqualTo("Show all " + (others + 1));
            showAll.click();
            await().atMost(WAIT).until(() -> alice.members().size() == others + 1);
            assertThat(alice.driver().findElements(By.cssSelector("#members .more-members"))).isEmpty();

            // Above parley.presence.batch-above (100) changes come as batches: one more, one fewer.
            ChatClient late = ChatClient.joined(TestServer.ws(server), "crowd", "zz-late");
            crowd.add(late);
            crowd.getFirst().close();
            await().atMost(WAIT).until(() -> alice.members().contains("zz-late") && !alice.members().contains("c000"));
            assertThat(alice.driver().findElement(By.id("member-count")).getText()).isEqualTo(String.valueOf(others + 1));
        } finally {
            crowd.forEach(ChatClient::close);
        }
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
            // One quiet line for what is on its way, not a label on every bubble.
            await().atMost(WAIT).until(() -> alice.driver().findElement(By.id("outgoing")).getText().equals("Sending 1 message…"));
            assertThat(alice.inMessages(".state").getFirst().getSize().getHeight()).isLessThanOrEqualTo(1); // for screen readers only

            network.resume();
            await().atMost(WAIT).until(() -> alice.messages().getFirst().state().equals("acked"));
            assertThat(alice.texts()).containsExactly("held back by the network");
            assertThat(alice.inMessages(".state")).isEmpty();
            assertThat(alice.driver().findElement(By.id("outgoing")).isDisplayed()).isFalse();
        }
    }

    @Test
    void aBurstOf300IsPacedAndArrivesExactlyOnceInOrder() {
        try (TcpProxy network = new TcpProxy(server.port());
             ChatClient watcher = ChatClient.joined(TestServer.ws(server), "burst", "watcher")) {
            alice.signIn("http://127.0.0.1:" + network.port() + "/", "alice", "burst");
            int connections = network.accepted(); // the page's own files came through it too
            pressEnterWith(alice, "burst ", 300);

            // What waits for its turn is counted on screen, and no bubble the server has echoed
            // is still waiting.
            await().atMost(WAIT).until(() -> alice.driver().findElement(By.id("outgoing")).getText()
                    .matches("Sending \\d+ messages…"));
            assertThat(alice.script("""
                    return [...document.querySelectorAll('#messages li.msg[data-state=pending]')]
                      .filter(li => li.dataset.seq !== undefined).length""")).isEqualTo(0L);

            List<String> expected = IntStream.rangeClosed(1, 300).mapToObj(i -> "burst " + i).toList();
            await().atMost(Duration.ofSeconds(60)).until(() -> watcher.messages("burst").size() >= 300);
            assertThat(watcher.messages("burst")).extracting(m -> m.path("text").asText()).isEqualTo(expected);
            await().atMost(WAIT).until(() -> alice.messages().stream().allMatch(m -> m.state().equals("acked")));
            assertThat(alice.texts()).isEqualTo(expected);
            await().atMost(WAIT).until(() -> !alice.driver().findElement(By.id("outgoing")).isDisplayed());
            // One connection all along: the server never closed the session for sending too fast.
            assertThat(network.accepted()).isEqualTo(connections);
            assertThat(alice.status()).isEqualTo("online");
        }
    }

    @Test
    void aServerStricterThanThePageAssumesSlowsItDownWithoutFailingAMessage() {
        ParleyServer strict = TestServer.start(Map.of("parley.rate.per-second", "2", "parley.rate.burst", "2"));
        try (ChatClient watcher = ChatClient.joined(TestServer.ws(strict), "strict", "watcher")) {
            alice.signIn("http://127.0.0.1:" + strict.port() + "/", "alice", "strict");
            pressEnterWith(alice, "strict ", 12);

            List<String> expected = IntStream.rangeClosed(1, 12).mapToObj(i -> "strict " + i).toList();
            await().atMost(Duration.ofSeconds(40)).until(() -> watcher.messages("strict").size() >= 12);
            assertThat(watcher.messages("strict")).extracting(m -> m.path("text").asText()).isEqualTo(expected);
            await().atMost(WAIT).until(() -> alice.messages().stream().allMatch(m -> m.state().equals("acked")));
            assertThat(alice.inMessages(".failed")).isEmpty();
            assertThat(alice.status()).isEqualTo("online");
        } finally {
            strict.stop();
        }
    }

    @Test
    void olderMessagesLoadWhenScrolledToTheTop() {
        bob.signIn(base, "bob", "archive");
        pressEnterWith(bob, "line ", 60);
        await().atMost(WAIT).until(() -> bob.messages().size() == 60
                                          && bob.messages().stream().allMatch(m -> m.state().equals("acked")));

        alice.signIn(base, "alice", "archive");
        await().atMost(WAIT).until(() -> alice.texts().size() >= 10);
        assertThat(alice.texts().getLast()).isEqualTo("line 60");
        // Each scroll to the top brings the page before: no button to find.
        await().atMost(WAIT).until(() -> {
            alice.script("document.getElementById('scroller').scrollTop = 0");
            return alice.texts().size() == 60;
        });
        assertThat(alice.texts()).isEqualTo(bob.texts());
        await().atMost(WAIT).until(() -> alice.driver().findElement(By.id("history-note")).getText()
                .equals("This is the beginning of #archive."));
        assertThat(alice.driver().findElement(By.id("load-older")).isDisplayed()).isFalse();
    }

    @Test
    void aShortConversationSitsAtTheBottom() {
        alice.signIn(base, "alice", "short");
        alice.send("just one line");
        await().atMost(WAIT).until(() -> alice.texts().size() == 1);
        Number gap = (Number) alice.script("""
                const scroller = document.getElementById('scroller').getBoundingClientRect();
                const last = document.querySelector('#messages li.msg:last-child').getBoundingClientRect();
                return scroller.bottom - last.bottom""");
        assertThat(gap.doubleValue()).isBetween(0.0, 40.0);
    }

    @Test
    void rightToLeftTextLongMessagesAndTheCounterReadRight() {
        alice.signIn(base, "alice", "scripts");
        bob.signIn(base, "bob", "scripts");
        bob.send("مرحبا بالعالم");
        bob.script("""
                const input = document.getElementById('input');
                input.value = 'long '.repeat(800);
                input.dispatchEvent(new Event('input'));
                input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));""");
        await().atMost(WAIT).until(() -> alice.texts().size() == 2);

        assertThat(alice.script("return getComputedStyle(document.querySelector('#messages li.msg .text')).direction"))
                .isEqualTo("rtl");
        List<WebElement> more = alice.inMessages("button.more");
        assertThat(more).hasSize(1);
        assertThat(more.getFirst().getText()).isEqualTo("Show more");
        int folded = more.getFirst().findElement(By.xpath("preceding-sibling::p")).getSize().getHeight();
        assertThat(folded).isLessThan(300);
        more.getFirst().click();
        await().atMost(WAIT).until(() -> alice.inMessages("button.more").getFirst().getText().equals("Show less"));
        assertThat(alice.inMessages("button.more").getFirst().findElement(By.xpath("preceding-sibling::p"))
                .getSize().getHeight()).isGreaterThan(folded * 2);

        alice.script("""
                const input = document.getElementById('input');
                input.value = 'x'.repeat(4001);
                input.dispatchEvent(new Event('input'));""");
        assertThat(alice.driver().findElement(By.id("counter")).getText()).isEqualTo("1 character too many");
        assertThat(alice.driver().findElement(By.id("send")).isEnabled()).isFalse();
        alice.script("const input = document.getElementById('input'); input.value = ''; input.dispatchEvent(new Event('input'))");
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
        pressEnterWith(bob, "filler ", 30);
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

    /** Types {@code count} numbered messages into the page's box at once, each sent with Enter. */
    static void pressEnterWith(Browser browser, String prefix, int count) {
        browser.script("""
                const input = document.getElementById('input');
                for (let i = 1; i <= arguments[1]; i++) {
                  input.value = arguments[0] + i;
                  input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
                }""", prefix, count);
    }

    private static double scrollTop(Browser browser) {
        return ((Number) browser.driver().executeScript("return document.getElementById('scroller').scrollTop")).doubleValue();
    }
}
