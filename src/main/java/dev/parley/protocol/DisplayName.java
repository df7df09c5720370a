package dev.parley.protocol;

/**
 * What a display name may hold. A name is shown to other people next to what they read, so it
 * must be visible and must not rearrange the text around it. The rule follows Unicode's guidance
 * for identifiers people see (UAX #31 and the General Security Profile of UTS #39) rather than a
 * list of bad characters:
 * <ul>
 * <li>every character is a letter, mark, number, punctuation, symbol or space — so no controls,
 *     line or paragraph separators, private-use, unassigned or surrogate code points, and no
 *     format characters (general category Cf: bidirectional marks and overrides such as U+061C
 *     and U+202E, invisible operators, the BOM);</li>
 * <li>except the joiners U+200C and U+200D, which scripts and emoji (👩‍💻) need, and only between
 *     two visible characters (UAX #31 §2.3); and emoji tag characters (U+E0020–U+E007F) right
 *     after a black flag, which spell subdivision flags;</li>
 * <li>no invisible "letters" (default-ignorable code points that are not Cf: the Hangul fillers,
 *     U+034F, U+17B4–U+17B5, U+180B–U+180F) and no U+2800 (a blank braille pattern);</li>
 * <li>at least one visible character, and no space at either end (" bob" would pass for "bob").</li>
 * </ul>
 * Lengths count code points, as every length in the protocol does.
 */
public final class DisplayName {
    /** Longest name, in code points. */
    public static final int MAX = 32;
    private static final int ZWNJ = 0x200C;
    private static final int ZWJ = 0x200D;
    private static final int BLACK_FLAG = 0x1F3F4;

    private DisplayName() {
    }

    public static boolean valid(String name) {
        int[] cps = name.codePoints().toArray();
        if (cps.length < 1 || cps.length > MAX || space(cps[0]) || space(cps[cps.length - 1])) {
            return false;
        }
        boolean visible = false;
        for (int i = 0; i < cps.length; i++) {
            int cp = cps[i];
            if (cp == ZWJ || cp == ZWNJ) {
                if (i == 0 || i == cps.length - 1 || !seen(cps[i - 1]) || !seen(cps[i + 1])) {
                    return false;
                }
            } else if (tag(cp)) {
                if (i == 0 || !(cps[i - 1] == BLACK_FLAG || tag(cps[i - 1]))) {
                    return false;
                }
            } else if (!allowed(cp)) {
                return false;
            } else if (seen(cp) && !mark(cp)) {
                visible = true;
            }
        }
        return visible;
    }

    /** Letters, marks, numbers, punctuation, symbols and spaces, less the invisible ones. */
    private static boolean allowed(int cp) {
        if (invisible(cp)) {
            return false;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.UNASSIGNED, Character.SURROGATE,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    /** A character that shows: allowed and not a space (a joiner must sit between two of them). */
    private static boolean seen(int cp) {
        return allowed(cp) && !space(cp);
    }

    private static boolean space(int cp) {
        return Character.getType(cp) == Character.SPACE_SEPARATOR || Character.isWhitespace(cp);
    }

    private static boolean mark(int cp) {
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK || t == Character.COMBINING_SPACING_MARK;
    }

    private static boolean tag(int cp) {
        return cp >= 0xE0020 && cp <= 0xE007F;
    }

    /** Default-ignorable code points outside Cf (DerivedCoreProperties.txt), and the blank braille pattern. */
    private static boolean invisible(int cp) {
        return cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x034F
               || cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) || cp == 0x2800;
    }
}
