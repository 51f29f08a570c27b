package dev.rebound.it;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what slf4j-simple writes (it prints to the current System.err) while a block runs. */
public final class StdErr {

    private StdErr() {
    }

    public static String during(Runnable block) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            block.run();
        } finally {
            System.setErr(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    public static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }
}
