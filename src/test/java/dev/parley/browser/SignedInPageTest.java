package dev.parley.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpCookie;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;

import dev.parley.ParleyServer;
import dev.parley.proxy.External;
import dev.parley.proxy.ProxyProcess;
import dev.parley.support.TestServer;

import static dev.parley.browser.Browser.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page on a server that takes signed tokens ({@code parley.auth.mode=jwt}), as an application
 * embeds it: one nginx origin serves the application (here a small token service of the test's,
 * under {@code /app/}) and Parley (everything else), so the page fetches its token same-origin with
 * the application's session cookie, as its Content-Security-Policy demands.
 *
 * <p>Tokens live {@link #TOKEN_LIFETIME}; the server announces expiry {@link #EXPIRY_NOTICE}
 * before and closes {@link #EXPIRY_GRACE} after it, so a page that did not refresh would be cut
 * (4002) and reconnect well within one test.
 */
class SignedInPageTest {
    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";
    private static final String SESSION_COOKIE = "app-session";
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(12);
    private static final Duration EXPIRY_NOTICE = Duration.ofSeconds(8);
    private static final Duration EXPIRY_GRACE = Duration.ofSeconds(1);
    /** The application's users: session (cookie value, also the token's sub) → display name. */
    private static final Map<String, String> USERS = Map.of("u-alice", "Alice Liddell", "u-bob", "Bob");
    /**
     * Counts the page's WebSocket constructions in {@code window.parleySockets}. Installed through
     * DevTools before any page script runs: it observes the page, the page does not cooperate.
     */
    private static final String COUNT_SOCKETS = """
            window.parleySockets = 0;
            const Native = window.WebSocket;
            window.WebSocket = class extends Native {
              constructor(...args) { super(...args); window.parleySockets++; }
            };""";

    @TempDir
    static Path dir;
    private static ParleyServer parley;
    private static HttpServer application;
    private static ProxyProcess nginx;
    private static String base;
    private static Browser alice;
    private static Browser bob;
    /** Tokens handed out per user: the token service's threads write, the test reads. */
    private static final Map<String, AtomicInteger> ISSUED = new ConcurrentHashMap<>();
    /** Token requests sent to the login page instead (a session the application no longer knows). */
    private static final AtomicInteger REDIRECTED = new AtomicInteger();
    /** A session whose token requests the application fails (503). */
    private static final String BROKEN_SESSION = "u-broken";
    /**
     * Between failed sign-ins the page backs off up to 30 s (js/backoff.js): a change of the
     * application's answer shows within that plus a fetch.
     */
    private static final Duration SIGN_IN_RETRY = Duration.ofSeconds(40);

    @BeforeAll
    static void start() throws IOException {
        Browser.requireChromium();
        Path nginxBinary = External.require("nginx", "apt-get install nginx");
        parley = TestServer.start(Map.of(
                "parley.auth.mode", "jwt",
                "parley.auth.jwt.secret", SECRET,
                "parley.auth.token-url", "/app/token",
                "parley.auth.expiry-notice", EXPIRY_NOTICE.toString(),
                "parley.auth.expiry-grace", EXPIRY_GRACE.toString()));
        application = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        application.createContext("/app/login", SignedInPageTest::login);
        application.createContext("/app/token", SignedInPageTest::token);
        application.start();
        int port = freePort();
        nginx = nginx(nginxBinary, port, parley.port(), application.getAddress().getPort()).start();
        base = "http://127.0.0.1:" + port + "/";
        alice = Browser.open();
        bob = Browser.open();
        for (Browser b : List.of(alice, bob)) {
            b.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", COUNT_SOCKETS));
        }
    }

    @AfterAll
    static void stop() {
        try (Browser a = alice; Browser b = bob; ProxyProcess n = nginx) {
            if (application != null) {
                application.stop(0);
            }
            if (parley != null) {
                parley.stop();
            }
        }
    }

    @Test
    void twoSignedInPagesChatUnderTheirTokensNamesAndOutliveTheirTokens() {
        enter(alice, "u-alice", "tokens");
        enter(bob, "u-bob", "tokens");
        await().atMost(WAIT).until(() -> alice.members().equals(List.of("Alice Liddell", "Bob")));
        Instant signedIn = Instant.now();

        alice.send("hello with a signed name");
        await().atMost(WAIT).until(() -> bob.messages().size() == 1);
        assertThat(bob.messages().getFirst().from()).isEqualTo("Alice Liddell");
        assertThat(bob.messages().getFirst().text()).isEqualTo("hello with a signed name");

        // A token is refreshed (EXPIRY_NOTICE before its exp) every TOKEN_LIFETIME - EXPIRY_NOTICE
        // = 4 s. Wait for several refreshes and until past the first tokens' expiry plus the
        // grace: a page that had not refreshed would have been closed (4002) and reconnected.
        Duration outlive = TOKEN_LIFETIME.plus(EXPIRY_GRACE).plusSeconds(2);
        await().atMost(outlive.plus(WAIT)).pollInterval(Duration.ofMillis(250))
                .alias("four tokens fetched by each page, past the first tokens' expiry and grace")
                .until(() -> ISSUED.get("u-alice").get() >= 4 && ISSUED.get("u-bob").get() >= 4
                             && Instant.now().isAfter(signedIn.plus(outlive)));
        for (Browser b : List.of(alice, bob)) {
            assertThat(b.script("return window.parleySockets")).as("WebSockets opened by the page").isEqualTo(1L);
            assertThat(b.status()).isEqualTo("online");
        }

        bob.send("still here after the refresh");
        alice.send("me too");
        await().atMost(WAIT).until(() -> alice.texts().size() == 3 && bob.texts().size() == 3);
        assertThat(alice.texts()).containsExactlyInAnyOrder("hello with a signed name", "still here after the refresh", "me too");
        assertThat(bob.texts()).isEqualTo(alice.texts());
        await().atMost(WAIT).until(() -> alice.messages().stream().allMatch(m -> m.state().equals("acked")));
        assertThat(alice.members()).containsExactly("Alice Liddell", "Bob");
        assertThat(alice.script("return window.parleySockets")).isEqualTo(1L);
    }

    @Test
    void aPageWithoutAnApplicationSessionSaysToSignInAndEntersOnceSignedIn() {
        alice.driver().get(base + "favicon.svg");
        alice.driver().manage().deleteAllCookies();
        alice.script("sessionStorage.clear(); localStorage.clear()");
        alice.driver().get(base + "#later");
        await().atMost(WAIT).until(() -> loginWho(alice).equals("Sign in to the application first."));
        assertThat(alice.driver().findElement(By.id("login-name")).isDisplayed()).isFalse();
        alice.driver().findElement(By.cssSelector("#login-form button[type=submit]")).click();
        assertThat(alice.driver().findElement(By.id("login-error")).getText()).isEqualTo("Sign in to the application first.");

        // Each answer of the application shows as it changes, while the page keeps trying.
        alice.driver().manage().addCookie(new Cookie(SESSION_COOKIE, BROKEN_SESSION, "/"));
        await().atMost(SIGN_IN_RETRY).until(() -> loginWho(alice).equals("The sign-in service answered 503."));
        // A stale session is redirected to the login page: the page says to sign in, and does not
        // follow the redirect (that would end in "The sign-in service answered 400.").
        int redirected = REDIRECTED.get();
        alice.driver().manage().addCookie(new Cookie(SESSION_COOKIE, "u-stale", "/"));
        await().atMost(SIGN_IN_RETRY).until(() -> loginWho(alice).equals("Sign in to the application first."));
        assertThat(REDIRECTED.get()).isGreaterThan(redirected);

        // The application's sign-in sets its cookie; the page's next try (with backoff) gets a token.
        alice.driver().manage().addCookie(new Cookie(SESSION_COOKIE, "u-alice", "/"));
        await().atMost(SIGN_IN_RETRY).until(() -> loginWho(alice).equals("Signed in as Alice Liddell"));
        alice.driver().findElement(By.cssSelector("#login-form button[type=submit]")).click();
        await().atMost(WAIT).until(() -> "online".equals(alice.status()) && alice.members().equals(List.of("Alice Liddell")));
        assertThat(alice.driver().findElement(By.id("sign-out")).isDisplayed()).as("no 'Change name' with tokens").isFalse();
    }

    @Test
    void theTokenSignInScreenHasNoSeriousViolations() {
        String axe = Axe.script();
        bob.driver().get(base + "app/login?user=u-bob");
        bob.script("sessionStorage.clear(); localStorage.clear()");
        bob.driver().get(base + "#a11y");
        await().atMost(WAIT).until(() -> loginWho(bob).equals("Signed in as Bob"));
        assertThat(Axe.seriousViolations(bob, axe)).isEmpty();
    }

    /** Signs in to the application as {@code user}, opens the page on {@code room}, and enters it. */
    private static void enter(Browser b, String user, String room) {
        b.driver().get(base + "app/login?user=" + user);
        b.script("sessionStorage.clear(); localStorage.clear()");
        b.driver().get(base + "#" + room);
        String name = USERS.get(user);
        await().atMost(WAIT).until(() -> loginWho(b).equals("Signed in as " + name));
        assertThat(b.driver().findElement(By.id("login-name")).isDisplayed()).as("no nickname field with tokens").isFalse();
        b.driver().findElement(By.cssSelector("#login-form button[type=submit]")).click();
        await().atMost(WAIT).until(() -> "online".equals(b.status()) && b.members().contains(name));
        assertThat(b.driver().findElement(By.id("me")).getText()).isEqualTo(name);
    }

    private static String loginWho(Browser b) {
        return b.driver().findElement(By.id("login-who")).getText();
    }

    /** The application's sign-in, reduced to its effect: a session cookie naming the user. */
    private static void login(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = Optional.ofNullable(exchange.getRequestURI().getQuery()).orElse("");
            String user = query.startsWith("user=") ? query.substring(5) : "";
            if (!USERS.containsKey(user)) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            exchange.getResponseHeaders().add("Set-Cookie", SESSION_COOKIE + "=" + user + "; Path=/; HttpOnly; SameSite=Strict");
            respond(exchange, 200, "text/plain", "signed in as " + user);
        }
    }

    /** What docs/deploy.md asks of an application: {"token":"…"} for a signed-in user, 401 otherwise. */
    private static void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            Optional<String> session = session(exchange);
            Optional<String> user = session.filter(USERS::containsKey);
            if (session.equals(Optional.of(BROKEN_SESSION))) {
                respond(exchange, 503, "text/plain", "down for maintenance");
                return;
            }
            if (session.isPresent() && user.isEmpty()) {
                // Many applications' login guards redirect rather than answer 401.
                REDIRECTED.incrementAndGet();
                exchange.getResponseHeaders().add("Location", "/app/login");
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            if (user.isEmpty()) {
                respond(exchange, 401, "application/json", "{\"error\":\"not signed in\"}");
                return;
            }
            Instant now = Instant.now();
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .subject(user.get()).claim("name", USERS.get(user.get()))
                    .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
                    .build();
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            try {
                jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
            ISSUED.computeIfAbsent(user.get(), u -> new AtomicInteger()).incrementAndGet();
            exchange.getResponseHeaders().add("Cache-Control", "no-store");
            respond(exchange, 200, "application/json", "{\"token\":\"" + jwt.serialize() + "\"}");
        }
    }

    private static Optional<String> session(HttpExchange exchange) {
        return exchange.getRequestHeaders().getOrDefault("Cookie", List.of()).stream()
                .flatMap(header -> List.of(header.split(";")).stream())
                .map(String::trim)
                .filter(c -> c.startsWith(SESSION_COOKIE + "="))
                .map(c -> HttpCookie.parse(c).getFirst().getValue())
                .findFirst();
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** One origin: /app/ to the application, the rest (page and /ws) to Parley, as docs/deploy.md describes. */
    private static ProxyProcess nginx(Path binary, int port, int parleyPort, int applicationPort) throws IOException {
        Path work = Files.createDirectories(dir.resolve("nginx"));
        String conf = """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    access_log %1$s/access.log;
                    map $http_upgrade $connection_upgrade {
                        default upgrade;
                        ''      '';
                    }
                    server {
                        listen 127.0.0.1:%2$d;
                        proxy_http_version 1.1;
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $remote_addr;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        location /app/ {
                            proxy_pass http://127.0.0.1:%4$d;
                        }
                        location / {
                            proxy_buffering off;
                            proxy_read_timeout 75s;
                            proxy_pass http://127.0.0.1:%3$d;
                        }
                    }
                }
                """.formatted(work, port, parleyPort, applicationPort);
        Path file = work.resolve("nginx.conf");
        Files.writeString(file, conf);
        return new ProxyProcess(List.of(binary.toString(), "-c", file.toString(), "-e", work.resolve("startup.log").toString(),
                                        "-g", "daemon off;"),
                                Map.of(), work.resolve("output.log"), port);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
