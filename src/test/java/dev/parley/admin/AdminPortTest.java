package dev.parley.admin;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.parley.ParleyServer;
import dev.parley.support.RawHttp;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** Health and metrics answer on the admin port only; the public port serves the chat and nothing of them. */
class AdminPortTest {
    private static ParleyServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void theTwoPortsDiffer() {
        assertThat(server.adminPort()).isPositive().isNotEqualTo(server.port());
    }

    @ParameterizedTest
    @MethodSource("dev.parley.support.RawHttp#observeSpellings")
    void observeIsNotFoundOnThePublicPort(String target) {
        assertThat(RawHttp.status(server.port(), target)).as("GET " + target + " on the public port").isEqualTo(404);
    }

    @Test
    void thePublicPortStillServesThePage() {
        assertThat(RawHttp.status(server.port(), "/")).isEqualTo(200);
    }

    @Test
    void healthAndMetricsAnswerOnTheAdminPort() {
        assertThat(RawHttp.status(server.adminPort(), "/observe/metrics")).isEqualTo(200);
        assertThat(RawHttp.status(server.adminPort(), "/observe/health")).isEqualTo(200);
        assertThat(RawHttp.status(server.adminPort(), "/observe/health/ready")).isEqualTo(200);
        assertThat(RawHttp.status(server.adminPort(), "/observe/health/live")).isEqualTo(200);
    }

    @Test
    void theAdminPortDoesNotServeTheChat() {
        assertThat(RawHttp.status(server.adminPort(), "/")).isEqualTo(404);
        assertThat(RawHttp.status(server.adminPort(), "/ws")).isEqualTo(404);
    }
}
