package dev.parley.ws;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressTest {
    private final ClientAddress addresses = new ClientAddress(List.of("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"));

    @Test
    void forwardedForIsBelievedOnlyFromTrustedPeers() {
        assertThat(addresses.resolve("127.0.0.1", "203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(addresses.resolve("198.51.100.7", "203.0.113.9")).isEqualTo("198.51.100.7");
        assertThat(addresses.resolve("127.0.0.1", null)).isEqualTo("127.0.0.1");
    }

    @Test
    void theChainIsReadFromTheRightSkippingTrustedHops() {
        // The client forged "1.2.3.4"; the first untrusted hop from the right is the real client.
        assertThat(addresses.resolve("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.2.3")).isEqualTo("203.0.113.9");
        // All hops trusted: the leftmost is as far as we can see.
        assertThat(addresses.resolve("127.0.0.1", "10.9.9.9, 10.1.2.3")).isEqualTo("10.9.9.9");
        assertThat(addresses.resolve("::1", "2001:db8::1")).isEqualTo("2001:db8::1");
    }

    @Test
    void cidrBlocks() {
        assertThat(addresses.isTrusted("10.255.0.1")).isTrue();
        assertThat(addresses.isTrusted("11.0.0.1")).isFalse();
        assertThat(addresses.isTrusted("fd12::5")).isTrue();
        assertThat(addresses.isTrusted("fe80::1")).isFalse();
        assertThat(addresses.isTrusted("not-an-ip.example")).isFalse();
        assertThat(new ClientAddress(List.of("192.168.1.0/25")).isTrusted("192.168.1.127")).isTrue();
        assertThat(new ClientAddress(List.of("192.168.1.0/25")).isTrusted("192.168.1.128")).isFalse();
    }

    @Test
    void hostnamesAreRefused() {
        assertThatThrownBy(() -> new ClientAddress(List.of("proxy.internal"))).hasMessageContaining("proxy.internal");
    }
}
