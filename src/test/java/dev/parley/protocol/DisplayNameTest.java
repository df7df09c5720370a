package dev.parley.protocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class DisplayNameTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "bob", "Ana María", "李小龙", "محمد", "אבי", "Zoë", "O'Brien", "x", "12", "¯\\_(ツ)_/¯",
            "👩\u200D💻", "❤\uFE0F", "👍🏽", "🏴\uDB40\uDC67\uDB40\uDC62\uDB40\uDC73\uDB40\uDC63\uDB40\uDC74\uDB40\uDC7F",
            "क्\u200Dष", "می\u200Cخواهم", "e\u0301", "abcdefghijklmnopqrstuvwxyz123456"})
    void visibleNamesAreValid(String name) {
        assertThat(DisplayName.valid(name)).as(name).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "   ", " bob", "bob ", "\tbob", "a\u0007b", "a\nb", "a\u2028b",
            "a\u061Cb", "a\u200Eb", "\u202Eevil", "a\u2066b\u2069", "a\uFEFFb", "a\u2062b",  // Cf: bidi marks, overrides, BOM, invisible times
            "\u200D", "\u200C", "\u200Dbob", "bob\u200D", "a\u200D\u200Db", "a \u200D b",      // joiners alone, at an end, doubled, by spaces
            "\u3164", "a\u115Fb", "\uFFA0", "\u2800", "a\u034Fb",                                // invisible letters
            "\uE000", "a\uDB80\uDC00", "a\u0378", "\uD800",                                      // private use, unassigned, lone surrogate
            "\uDB40\uDC67", "a\uDB40\uDC67",                                                     // a tag not after a black flag
            "\u0301", "\u0301\u0301",                                                            // marks with nothing to mark
            "abcdefghijklmnopqrstuvwxyz1234567"})
    void invisibleOrRearrangingNamesAreRefused(String name) {
        assertThat(DisplayName.valid(name)).as(name.codePoints().mapToObj(Integer::toHexString).toList().toString()).isFalse();
    }
}
