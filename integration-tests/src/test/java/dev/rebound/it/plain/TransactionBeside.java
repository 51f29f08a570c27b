package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import jakarta.inject.Inject;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * A user's own Guice interceptor beside ReboundModule, as a transaction manager's: {@link InTransaction}
 * methods run in a transaction that {@link TransactionInterceptor} begins, and commits or rolls back. Each
 * step and each attempt is traced in {@link #TRACE}. Not woven: Guice alone applies both.
 */
public final class TransactionBeside {

    /** What happened, in order, since the last {@link #reset()}. */
    public static final List<String> TRACE = new ArrayList<>();

    private TransactionBeside() {
    }

    public static void reset() {
        TRACE.clear();
    }

    /** Marks a method that runs in a transaction. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    public @interface InTransaction {
    }

    /** Begins a transaction around the call; commits it when the call returns, rolls it back when it throws. */
    public static final class TransactionInterceptor implements MethodInterceptor {
        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            TRACE.add("begin");
            try {
                Object result = invocation.proceed();
                TRACE.add("commit");
                return result;
            } catch (Throwable t) {
                TRACE.add("rollback");
                throw t;
            }
        }
    }

    /** Its first two attempts fail. */
    static String attempt(String name) {
        TRACE.add(name);
        if (TRACE.stream().filter(name::equals).count() < 3) {
            throw new IllegalStateException("deadlock");
        }
        return "posted";
    }

    /** Retried and transactional on one method: Guice runs the transaction around all of its attempts. */
    public static class Ledger {
        @Retry(attempts = 3, delay = 100, jitter = false)
        @InTransaction
        public String post(String entry) {
            return attempt("post");
        }
    }

    /** The transactional write alone. */
    public static class LedgerWriter {
        @InTransaction
        public String write(String entry) {
            return attempt("write");
        }
    }

    /** The retry on the caller of the transactional method: each attempt is a transaction of its own. */
    public static class RetriedPoster {
        private final LedgerWriter writer;

        @Inject
        public RetriedPoster(LedgerWriter writer) {
            this.writer = writer;
        }

        @Retry(attempts = 3, delay = 100, jitter = false)
        public String post(String entry) {
            return writer.write(entry);
        }
    }
}
