package dev.parley.browser;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WindowType;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static dev.parley.browser.Browser.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Knowing what happens while you look elsewhere: who is typing, who mentions you, what came in
 * while you were in another room or another tab.
 */
class AwarenessTest {
    private static ParleyServer server;
    private static String base;
    private static Browser alice;
    private static Browser bob;

    @BeforeAll
    static void start() {
        Browser.requireChromium();
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
    void typingIsShownToTheOthersAndStops() {
        alice.signIn(base, "alice", "typing");
        bob.signIn(base, "bob", "typing");
        alice.driver().findElement(By.id("input")).sendKeys("hel");
        // Whether or not the server knows `typing`, the page never bothers the person about it.
        await().atMost(WAIT).until(() -> Boolean.TRUE.equals(alice.script("return document.getElementById('banner').hidden")));
        Assumptions.assumeTrue(serverAnswersTyping(),
                "the server does not know the `typing` message yet (it answers unknown_type); the page stays quiet");

        await().atMost(WAIT).until(() -> typing(bob).equals("alice is typing…"));
        assertThat(typing(alice)).isEmpty(); // never told about oneself
        await().atMost(WAIT).until(() -> typing(bob).isEmpty()); // it stops a few seconds after the last key

        alice.driver().findElement(By.id("input")).sendKeys("lo");
        await().atMost(WAIT).until(() -> typing(bob).equals("alice is typing…"));
        alice.driver().findElement(By.id("input")).sendKeys(Keys.ENTER);
        // Her message ends it at once, long before the time-out.
        await().atMost(WAIT).until(() -> bob.texts().equals(List.of("hello")) && typing(bob).isEmpty());
    }

    @Test
    void aMentionIsOfferedHighlightedCountedAndNotifiedInAHiddenTab() {
        alice.signIn(base, "alice", "team");
        bob.signIn(base, "bob", "team");
        alice.allowNotifications(base.substring(0, base.length() - 1));
        new org.openqa.selenium.support.ui.Select(alice.driver().findElement(By.id("notify"))).selectByValue("mentions");
        await().atMost(WAIT).until(() -> "granted".equals(alice.script("return Notification.permission")));
        // Records what the page shows, and still shows it through the browser's own Notification.
        alice.script("""
                window.shownNotifications = [];
                const Real = window.Notification;
                window.Notification = class extends Real {
                  constructor(title, options) { super(title, options); shownNotifications.push(title + ' | ' + options.body); }
                };""");
        alice.driver().findElement(By.id("room-input")).sendKeys("side\n");
        await().atMost(WAIT).until(() -> alice.driver().getCurrentUrl().endsWith("#side"));

        // Bob picks her from the "@" list.
        bob.driver().findElement(By.id("input")).sendKeys("hey @al");
        await().atMost(WAIT).until(() -> bob.driver().findElement(By.id("suggestions")).isDisplayed());
        assertThat(bob.driver().findElement(By.cssSelector("#suggestions [aria-selected=true]")).getText()).isEqualTo("@alice");
        bob.driver().findElement(By.id("input")).sendKeys(Keys.TAB);
        assertThat(bob.driver().findElement(By.id("input")).getDomProperty("value")).isEqualTo("hey @alice ");

        // Alice looks at another tab when it arrives.
        String chatTab = alice.driver().getWindowHandle();
        alice.driver().switchTo().newWindow(WindowType.TAB);
        alice.driver().get(base + "favicon.svg");
        bob.driver().findElement(By.id("input")).sendKeys("can you review?" + Keys.ENTER);
        bob.send("no rush, and this one has no mention");
        await().atMost(WAIT).until(() -> bob.messages().size() == 2
                                          && bob.messages().stream().allMatch(m -> m.state().equals("acked")));
        alice.driver().close();
        alice.driver().switchTo().window(chatTab);

        await().atMost(WAIT).until(() -> !shownNotifications(alice).isEmpty());
        assertThat(shownNotifications(alice)).containsExactly("bob in #team | hey @alice can you review?");
        await().atMost(WAIT).until(() -> alice.driver().getTitle().equals("(2) #side · Parley"));
        assertThat(alice.driver().findElement(By.cssSelector("#rooms a[href='#team'] .badge.mentions")).getText()).isEqualTo("@1");
        assertThat(alice.driver().findElement(By.cssSelector("#rooms a[href='#team'] .badge:not(.mentions)")).getText()).isEqualTo("2");

        // Back in the room: the two are below a "New messages" line, her name is marked.
        alice.driver().findElement(By.cssSelector("#rooms a[href='#team']")).click();
        await().atMost(WAIT).until(() -> alice.texts().size() == 2);
        assertThat(alice.script("""
                const divider = document.querySelector('#messages .unread-divider');
                return divider && divider.nextElementSibling.querySelector('.text').textContent""")).isEqualTo("hey @alice can you review?");
        assertThat(alice.inMessages("li.mentioned .mention.to-me")).extracting(e -> e.getText()).containsExactly("@alice");
        assertThat(alice.inMessages("li.mentioned")).hasSize(1);
        await().atMost(WAIT).until(() -> alice.driver().getTitle().equals("#team · Parley"));

        // Answering clears the line.
        alice.send("on it");
        await().atMost(WAIT).until(() -> alice.inMessages(".unread-divider").isEmpty());
    }

    @Test
    void aLongUnreadStretchOffersAJumpToItsStart() {
        alice.signIn(base, "alice", "catchup");
        bob.signIn(base, "bob", "catchup");
        alice.driver().findElement(By.id("room-input")).sendKeys("elsewhere\n");
        await().atMost(WAIT).until(() -> alice.driver().getCurrentUrl().endsWith("#elsewhere"));
        ChatPageTest.pressEnterWith(bob, "news ", 40);
        await().atMost(WAIT).until(() -> bob.messages().size() == 40
                                          && bob.messages().stream().allMatch(m -> m.state().equals("acked")));

        alice.driver().findElement(By.cssSelector("#rooms a[href='#catchup']")).click();
        await().atMost(WAIT).until(() -> alice.driver().findElement(By.id("jump-unread")).isDisplayed());
        alice.driver().findElement(By.id("jump-unread")).click();
        await().atMost(WAIT).until(() -> !alice.driver().findElement(By.id("jump-unread")).isDisplayed());
        Number top = (Number) alice.script("""
                const s = document.getElementById('scroller').getBoundingClientRect();
                return document.querySelector('#messages .unread-divider').getBoundingClientRect().top - s.top""");
        assertThat(top.doubleValue()).isBetween(0.0, 40.0);
        assertThat(alice.script("return document.querySelector('#messages .unread-divider').nextElementSibling.querySelector('.text').textContent"))
                .isEqualTo("news 1");
    }

    /** Asks the server directly, as the page does: a server without `typing` answers unknown_type. */
    private static boolean serverAnswersTyping() {
        try (ChatClient probe = ChatClient.joined(TestServer.ws(server), "typing-probe", "probe")) {
            probe.send(ChatClient.obj("type", "typing", "room", "typing-probe"));
            probe.send(ChatClient.obj("type", "ping"));
            probe.next("pong"); // answers come in order: an error for `typing` would be here by now
            return probe.all("error").stream().map(e -> e.path("code").asText()).noneMatch("unknown_type"::equals);
        }
    }

    private static String typing(Browser browser) {
        return browser.driver().findElement(By.id("typing")).getText();
    }

    @SuppressWarnings("unchecked")
    private static List<String> shownNotifications(Browser browser) {
        return (List<String>) browser.script("return window.shownNotifications");
    }

}
