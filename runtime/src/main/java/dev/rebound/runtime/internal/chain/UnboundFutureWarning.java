package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.rules.MethodRules;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Just above the invocation of a method whose declared result is a type variable nothing binds where it
 * is wrapped ({@link MethodSpec#unboundResultOf}), read as a plain value, so its chain is the synchronous
 * one, and that a policy judges by its outcome ({@link #applies}): the first time an attempt returns a
 * {@code CompletionStage}, it warns, once per method, that the policies judged the future and not its
 * outcome, and how to let them see it. Only such methods have it: no other method's result is looked at.
 * The chain is not switched to the asynchronous one on seeing a future: a method read as returning a plain
 * value may return anything, and its shape is decided once, before any call.
 */
final class UnboundFutureWarning implements Strategy {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");

    private final MethodSpec spec;
    private final Strategy next;
    /** Shared by the method's chains (traced and not): one WARN per method. */
    private final AtomicBoolean warned = new AtomicBoolean();

    UnboundFutureWarning(MethodSpec spec, Strategy next) {
        this.spec = spec;
        this.next = next;
    }

    /** Whether {@code spec}'s result is read as a plain Object and a policy judges its outcome. */
    static boolean applies(MethodSpec spec) {
        return spec.unboundResultOf() != null && (spec.retry().attempts() > 1 || spec.retry().resultPredicate() != null
                || !spec.alternatives().isEmpty() || spec.fallbackHandler() != null || spec.fallbackOnResult() != null
                || spec.circuitBreaker() != null);
    }

    @Override
    public Object apply(Execution call) throws Throwable {
        Object result = next.apply(call);
        if (result instanceof CompletionStage<?> && !warned.get() && warned.compareAndSet(false, true)) {
            String stage = result instanceof CompletableFuture<?> ? "CompletableFuture" : "CompletionStage";
            LOG.warn(MethodRules.futureReadAsPlainValue(spec.name(), stage, spec.unboundResultOf()));
        }
        return result;
    }

    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        return next.applyAsync(call); // not reached: such a method's chain is the synchronous one
    }
}
