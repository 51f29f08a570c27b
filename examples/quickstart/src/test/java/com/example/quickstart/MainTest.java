package com.example.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Main prints what the Getting-started text says it prints: {@code expected-output.txt} is the block the
 * README shows (waits are jittered, so their milliseconds are compared as "N ms").
 */
class MainTest {

    @Test
    void mainPrintsTheRetriesTheFallbackAndTheAnswerAsDocumented() throws IOException {
        ReboundSettings before = ReboundSettings.global();
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(printed, true, StandardCharsets.UTF_8);
        ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(new VirtualTimeSource()).build());
        System.setOut(both);
        System.setErr(both);
        try {
            Main.main(new String[0]);
        } finally {
            System.setOut(out);
            System.setErr(err);
            ReboundSettings.setGlobal(before);
        }
        assertEquals(masked(expected()), masked(printed.toString(StandardCharsets.UTF_8).lines().toList()));
    }

    private static List<String> expected() throws IOException {
        try (InputStream in = MainTest.class.getResourceAsStream("/expected-output.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.contains("docs:quickstart-output")).toList();
        }
    }

    private static List<String> masked(List<String> lines) {
        return lines.stream().map(line -> line.replaceAll("\\d+ ms", "N ms")).toList();
    }
}
