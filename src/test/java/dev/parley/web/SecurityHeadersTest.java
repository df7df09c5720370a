package dev.parley.web;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.parley.ParleyServer;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** Every answer of the public port carries the page's protections, error pages included. */
class SecurityHeadersTest {
    private static ParleyServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"/, 200", "/index.html, 200", "/no-such-page, 404", "/observe/metrics, 404", "/ws, 426"})
    void everyAnswerHasCspAndNosniff(String path, int status) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(TestServer.http(server, path)).build(),
                                               HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(status);
            assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).contains("default-src"));
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
    }
}
