package dev.parley.auth;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoomAccessTest {

    @Test
    void patternsMatchWholeNamesWithStarForAnyRun() {
        RoomAccess a = RoomAccess.of(List.of("support-*", "lobby", "*.eu"), List.of("announce"));
        assertThat(a.mayJoin("support-1")).isTrue();
        assertThat(a.mayJoin("support-")).isTrue();
        assertThat(a.mayJoin("xsupport-1")).isFalse();
        assertThat(a.mayJoin("lobby")).isTrue();
        assertThat(a.mayJoin("lobby2")).isFalse();
        assertThat(a.mayJoin("sales.eu")).isTrue();
        assertThat(a.mayJoin("salesXeu")).as("'.' is literal").isFalse();
        assertThat(a.mayJoin("announce")).as("read-only does not grant joining").isFalse();
    }

    @Test
    void readOnlyRoomsMayBeJoinedButNotWritten() {
        RoomAccess a = RoomAccess.of(null, List.of("news-*"));
        assertThat(a.mayJoin("news-today")).isTrue();
        assertThat(a.maySend("news-today")).isFalse();
        assertThat(a.maySend("chat")).isTrue();
        assertThat(RoomAccess.ALL.maySend("anything")).isTrue();
    }
}
