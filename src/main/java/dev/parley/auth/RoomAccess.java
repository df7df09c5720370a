package dev.parley.auth;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The rooms a token lets its holder join, and those where it may only read. A pattern is a room
 * name in which {@code *} stands for any run of characters ({@code support-*}); no list means
 * every room.
 */
public record RoomAccess(List<Pattern> join, List<Pattern> readOnly) {
    /** Every room, read and write: the token has neither claim. */
    public static final RoomAccess ALL = new RoomAccess(null, List.of());

    /** {@code join} null = every room; {@code readOnly} empty = none. */
    public static RoomAccess of(List<String> join, List<String> readOnly) {
        return new RoomAccess(join == null ? null : join.stream().map(RoomAccess::glob).toList(),
                              readOnly == null ? List.of() : readOnly.stream().map(RoomAccess::glob).toList());
    }

    public boolean mayJoin(String room) {
        return join == null || matches(join, room);
    }

    public boolean maySend(String room) {
        return mayJoin(room) && !matches(readOnly, room);
    }

    private static boolean matches(List<Pattern> patterns, String room) {
        for (Pattern p : patterns) {
            if (p.matcher(room).matches()) {
                return true;
            }
        }
        return false;
    }

    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
