package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * What Guice's interception does to a failure, seen from the failure: each counts how often its stack trace was
 * rewritten ({@code setStackTrace}, which Guice's {@code InterceptorStackCallback.pruneStacktrace} calls on every
 * failure that crosses its invocation's {@code proceed()}). {@link Chat} throws them as {@link #SCRIPT} says.
 * Compiled by javac: Guice alone intercepts it. Static, one test at a time: {@link #reset()} empties it.
 */
public final class GuiceRewrites {

    /** What {@link Chat} does call by call: throw the failure, or answer when null; the last step repeats. */
    public static final List<Throwable> SCRIPT = new ArrayList<>();
    /** What {@link Backup#chat} does call by call, as {@link #SCRIPT} says for {@link Chat}; empty: it answers. */
    public static final List<Throwable> BACKUP_SCRIPT = new ArrayList<>();
    /** The calls made, in order: {@code chat(q)}, {@code backup(q)}, {@code user's interceptor}. */
    public static final List<String> CALLS = new ArrayList<>();
    /** How often {@link Backup#chat} was called since {@link #reset()} (an unscoped alternative: one per call). */
    private static int backupCalls;

    private GuiceRewrites() {
    }

    public static void reset() {
        SCRIPT.clear();
        BACKUP_SCRIPT.clear();
        CALLS.clear();
        REWRITES.clear();
        backupCalls = 0;
    }

    /** How often the stack trace of each failure was rewritten, by identity. */
    private static final Map<Throwable, Integer> REWRITES = new IdentityHashMap<>();

    /** How often the stack trace of {@code failure}, a {@link Transient} or a {@link Down}, was rewritten. */
    public static int rewrites(Throwable failure) {
        return REWRITES.getOrDefault(failure, 0);
    }

    /** Retried: unchecked. */
    public static final class Transient extends RuntimeException {
        public Transient(String message) {
            super(message);
        }

        @Override
        public void setStackTrace(StackTraceElement[] stackTrace) {
            REWRITES.merge(this, 1, Integer::sum);
            super.setStackTrace(stackTrace);
        }
    }

    /** Retried: checked, declared by {@link Chat}'s methods. */
    public static final class Down extends IOException {
        public Down(String message) {
            super(message);
        }

        @Override
        public void setStackTrace(StackTraceElement[] stackTrace) {
            REWRITES.merge(this, 1, Integer::sum);
            super.setStackTrace(stackTrace);
        }
    }

    /** The policies: {@code chat} falls back to {@link Backup}, {@code alone} has no fallback. */
    public interface Asks {
        @Retry(attempts = 3, delay = 0)
        @Fallback(to = Backup.class)
        String chat(String prompt) throws IOException;

        @Retry(attempts = 3, delay = 0)
        String alone(String prompt) throws IOException;
    }

    /** The primary, constructed and intercepted by the injector. */
    public static class Chat implements Asks {
        private int calls;

        @Override
        public String chat(String prompt) throws IOException {
            return next(prompt);
        }

        @Override
        public String alone(String prompt) throws IOException {
            return next(prompt);
        }

        private String next(String prompt) throws IOException {
            CALLS.add("chat(" + prompt + ")");
            Throwable step = SCRIPT.get(Math.min(calls++, SCRIPT.size() - 1));
            if (step != null) {
                step.fillInStackTrace(); // its stack trace is this call's, as if made here (no rewrite: not counted)
            }
            if (step instanceof IOException checked) {
                throw checked;
            }
            if (step != null) {
                throw (RuntimeException) step;
            }
            return "answer to " + prompt;
        }
    }

    /** The alternative, constructed by the injector. */
    public static class Backup implements Asks {
        @Override
        public String chat(String prompt) {
            CALLS.add("backup(" + prompt + ")");
            if (!BACKUP_SCRIPT.isEmpty()) {
                Throwable step = BACKUP_SCRIPT.get(Math.min(backupCalls++, BACKUP_SCRIPT.size() - 1));
                if (step != null) {
                    throw (RuntimeException) step;
                }
            }
            return "backup answer to " + prompt;
        }

        @Override
        public String alone(String prompt) {
            throw new UnsupportedOperationException("not an alternative");
        }
    }

    /** A user's interceptor on {@link Chat}'s methods: records each call it sees and proceeds. */
    public static final class UsersInterceptor implements MethodInterceptor {
        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            CALLS.add("user's interceptor");
            return invocation.proceed();
        }
    }
}
