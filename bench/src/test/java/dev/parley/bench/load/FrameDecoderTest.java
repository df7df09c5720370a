package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    /** Records what the decoder delivers, in order. */
    private static final class Events implements FrameDecoder.Sink {
        final List<String> seen = new ArrayList<>();
        final List<byte[]> texts = new ArrayList<>();

        @Override
        public void onText(byte[] b, int off, int len) {
            texts.add(Arrays.copyOfRange(b, off, off + len));
            seen.add("text:" + len);
        }

        @Override
        public void onPing(byte[] b, int off, int len) {
            seen.add("ping:" + new String(b, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void onClose(int code) {
            seen.add("close:" + code);
        }
    }

    private static byte[] text(String s) {
        return FrameEncoder.unmasked(FrameDecoder.OP_TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] notFinal(byte[] frame) {
        frame[0] &= 0x7f;
        return frame;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static int decodeAll(byte[] bytes, Events events) throws Exception {
        return new FrameDecoder(1 << 20).decode(bytes, 0, bytes.length, events);
    }

    @Test
    void decodesEveryPayloadLengthEncoding() throws Exception {
        byte[] small = new byte[125];
        byte[] medium = new byte[300];
        byte[] large = new byte[70_000];
        Arrays.fill(large, (byte) 'x');
        byte[] bytes = concat(FrameEncoder.unmasked(FrameDecoder.OP_TEXT, small),
                FrameEncoder.unmasked(FrameDecoder.OP_TEXT, medium),
                FrameEncoder.unmasked(FrameDecoder.OP_TEXT, large));
        Events events = new Events();

        assertEquals(bytes.length, decodeAll(bytes, events));
        assertEquals(List.of("text:125", "text:300", "text:70000"), events.seen);
        assertArrayEquals(large, events.texts.get(2));
    }

    @Test
    void unmasksClientFrames() throws Exception {
        byte[] frame = FrameEncoder.maskedText("{\"type\":\"ping\"}");
        Events events = new Events();

        decodeAll(frame, events);

        assertEquals("{\"type\":\"ping\"}", new String(events.texts.get(0), StandardCharsets.UTF_8));
    }

    @Test
    void reassemblesFragmentsAroundAnInterleavedPing() throws Exception {
        byte[] bytes = concat(notFinal(text("hel")),
                FrameEncoder.unmasked(FrameDecoder.OP_PING, "p".getBytes(StandardCharsets.UTF_8)),
                notFinal(FrameEncoder.unmasked(FrameDecoder.OP_CONTINUATION, "lo ".getBytes(StandardCharsets.UTF_8))),
                FrameEncoder.unmasked(FrameDecoder.OP_CONTINUATION, "world".getBytes(StandardCharsets.UTF_8)));
        Events events = new Events();

        decodeAll(bytes, events);

        assertEquals(List.of("ping:p", "text:11"), events.seen);
        assertEquals("hello world", new String(events.texts.get(0), StandardCharsets.UTF_8));
    }

    @Test
    void waitsForTheRestOfAPartialFrameAndSaysHowMuchItNeeds() throws Exception {
        byte[] frame = FrameEncoder.unmasked(FrameDecoder.OP_TEXT, new byte[300]);
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        Events events = new Events();

        assertEquals(0, decoder.decode(frame, 0, 1, events));
        assertEquals(2, decoder.needed());
        assertEquals(0, decoder.decode(frame, 0, 3, events));
        assertEquals(4, decoder.needed());
        assertEquals(0, decoder.decode(frame, 0, 100, events));
        assertEquals(304, decoder.needed());
        assertEquals(304, decoder.decode(frame, 0, 304, events));
        assertEquals(List.of("text:300"), events.seen);
    }

    @Test
    void reportsCloseCodes() throws Exception {
        byte[] bytes = concat(FrameEncoder.unmasked(FrameDecoder.OP_CLOSE, new byte[] {0x03, (byte) 0xF5}),
                FrameEncoder.unmasked(FrameDecoder.OP_CLOSE, new byte[0]));
        Events events = new Events();

        decodeAll(bytes, events);

        assertEquals(List.of("close:1013", "close:1005"), events.seen);
    }

    @Test
    void refusesReservedBitsAndOversizedFrames() {
        byte[] rsv = text("x");
        rsv[0] |= 0x40;
        assertThrows(ProtocolException.class, () -> decodeAll(rsv, new Events()));

        byte[] big = FrameEncoder.unmasked(FrameDecoder.OP_TEXT, new byte[2000]);
        assertThrows(ProtocolException.class,
                () -> new FrameDecoder(1000).decode(big, 0, big.length, new Events()));
    }
}
