package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A primary that answers or throws each call as the test's script says, over an alternative that does
 * the same with its own script; each records its calls and, by its stack, which loop made them
 * ({@link Loop}). Compiled by javac (the Guice door intercepts {@link Primary});
 * {@code dev.rebound.it.woven.WovenScripted} is the primary woven by ajc. The scripts and records are
 * static, one test at a time: {@link #reset()} empties them.
 */
public interface Scripted {

    @Retry(attempts = 3, delay = 0)
    @Fallback(to = Backup.class)
    String chat(String prompt) throws IOException;

    @Retry(attempts = 4, delay = 1000, multiplier = 2.0, jitter = true)
    @Fallback(to = Backup.class)
    String jittered(String prompt) throws IOException;

    @Retry(attempts = 3, delay = 0)
    String alone(String prompt) throws IOException;

    /** Which loop made a call. */
    enum Loop {
        /** The door's own: the advice (or interceptor) called again, no engine frame on the stack. */
        DOOR,
        /** The engine's quiet loop, {@code QuietLoop}. */
        QUIET,
        /** The chain of strategies. */
        CHAIN
    }

    /** The calls of the current test, in order, as {@code primary(q)} or {@code backup(q)}, and who made each. */
    List<String> CALLS = new ArrayList<>();
    List<Loop> MADE_BY = new ArrayList<>();
    /** What the primary throws or answers, call by call (the last step repeats); the same for the backup. */
    List<Object> PRIMARY = new ArrayList<>();
    List<Object> BACKUP = new ArrayList<>();
    /** Every failure thrown, in order. */
    List<Throwable> THROWN = new ArrayList<>();

    /** Empties the scripts and the records. */
    static void reset() {
        CALLS.clear();
        MADE_BY.clear();
        PRIMARY.clear();
        BACKUP.clear();
        THROWN.clear();
    }

    /** Which loop made the current call, by the stack. */
    static Loop madeBy() {
        return StackWalker.getInstance().walk(frames -> {
            List<String> classes = frames.map(StackWalker.StackFrame::getClassName).toList();
            if (classes.contains("dev.rebound.runtime.internal.chain.QuietLoop")) {
                return Loop.QUIET;
            }
            return classes.stream().anyMatch(c -> c.startsWith("dev.rebound.runtime.internal.chain.")) ? Loop.CHAIN
                    : Loop.DOOR;
        });
    }

    /**
     * Records the call and plays the next step of {@code script} ({@code next[0]}): a supplied failure is
     * thrown; a {@link Runnable} runs first, then the step after it plays.
     */
    static String play(String name, String prompt, List<Object> script, int[] next) throws IOException {
        CALLS.add(name + "(" + prompt + ")");
        MADE_BY.add(madeBy());
        Object s = script.get(Math.min(next[0]++, script.size() - 1));
        if (s instanceof Runnable) {
            ((Runnable) s).run();
            s = script.get(Math.min(next[0]++, script.size() - 1));
        }
        if (s instanceof Supplier) {
            Throwable t = (Throwable) ((Supplier<?>) s).get();
            THROWN.add(t);
            if (t instanceof IOException) {
                throw (IOException) t;
            }
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            throw (Error) t;
        }
        return (String) s;
    }

    /** Plays one script under one name; an instance keeps its place in the script. */
    abstract class Played implements Scripted {
        private final String name;
        private final List<Object> script;
        private final int[] next = {0};

        Played(String name, List<Object> script) {
            this.name = name;
            this.script = script;
        }

        @Override
        public String chat(String prompt) throws IOException {
            return play(name, prompt, script, next);
        }

        @Override
        public String jittered(String prompt) throws IOException {
            return play(name, prompt, script, next);
        }

        @Override
        public String alone(String prompt) throws IOException {
            return play(name, prompt, script, next);
        }
    }

    /** The primary: plays {@link #PRIMARY}. */
    class Primary extends Played {
        public Primary() {
            super("primary", PRIMARY);
        }
    }

    /** The alternative: plays {@link #BACKUP}. */
    class Backup extends Played {
        public Backup() {
            super("backup", BACKUP);
        }
    }
}
