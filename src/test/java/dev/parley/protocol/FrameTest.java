package dev.parley.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class FrameTest {
    /** The wire form is a final, unmasked text frame whose length takes its shortest form, built once. */
    @ParameterizedTest
    @ValueSource(ints = {1, 125, 126, 65535, 65536, 70000})
    void wireIsOneTextFrameBuiltOnce(int n) {
        byte[] json = new byte[n];
        Arrays.fill(json, (byte) 'x');
        Frame f = Frame.of(new String(json, StandardCharsets.UTF_8));
        byte[] w = f.wire();
        assertThat(w[0] & 0xFF).isEqualTo(0x81);
        int header;
        long length;
        if ((w[1] & 0x7F) < 126) {
            header = 2;
            length = w[1] & 0x7F;
        } else if ((w[1] & 0x7F) == 126) {
            header = 4;
            length = ((w[2] & 0xFF) << 8) | (w[3] & 0xFF);
            assertThat(length).isGreaterThan(125);
        } else {
            header = 10;
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | (w[2 + i] & 0xFF);
            }
            assertThat(length).isGreaterThan(65535);
        }
        assertThat(w[1] & 0x80).as("unmasked").isZero();
        assertThat(length).isEqualTo(n);
        assertThat(w).hasSize(header + n);
        assertThat(Arrays.copyOfRange(w, header, w.length)).isEqualTo(json);
        assertThat(f.wire()).isSameAs(w);
    }
}
