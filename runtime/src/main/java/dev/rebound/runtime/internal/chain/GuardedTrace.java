package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.observation.CallTrace;
import dev.rebound.runtime.observation.CallTracer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call's trace whose failures never reach the call: a tracer (or an observation handler behind it)
 * that throws is logged by class name and ignored, like a throwing listener.
 */
final class GuardedTrace implements CallTrace {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedTrace.class);

    private final CallTracer tracer;
    private final CallTrace trace;

    private GuardedTrace(CallTracer tracer, CallTrace trace) {
        this.tracer = tracer;
        this.trace = trace;
    }

    /**
     * The trace {@code tracer} starts for {@code method}, a synchronous call or an asynchronous one,
     * guarded; {@link CallTrace#NOOP} itself (and nothing allocated) when the tracer records nothing,
     * or throws.
     */
    static CallTrace start(CallTracer tracer, String method, boolean async) {
        CallTrace trace;
        try {
            trace = async ? tracer.startAsync(method) : tracer.start(method);
        } catch (RuntimeException e) {
            ignored(tracer, e);
            trace = null;
        }
        return trace == null || trace == CallTrace.NOOP ? CallTrace.NOOP : new GuardedTrace(tracer, trace);
    }

    @Override
    public void attemptStarted(String target, int attempt) {
        try {
            trace.attemptStarted(target, attempt);
        } catch (RuntimeException e) {
            ignored(tracer, e);
        }
    }

    @Override
    public Scope attemptCurrent() {
        Scope scope;
        try {
            scope = trace.attemptCurrent();
        } catch (RuntimeException e) {
            ignored(tracer, e);
            return Scope.NONE;
        }
        if (scope == null || scope == Scope.NONE) {
            return Scope.NONE;
        }
        return () -> {
            try {
                scope.close();
            } catch (RuntimeException e) {
                ignored(tracer, e);
            }
        };
    }

    @Override
    public void attemptSucceeded() {
        try {
            trace.attemptSucceeded();
        } catch (RuntimeException e) {
            ignored(tracer, e);
        }
    }

    @Override
    public void attemptFailed(Throwable failure) {
        try {
            trace.attemptFailed(failure);
        } catch (RuntimeException e) {
            ignored(tracer, e);
        }
    }

    @Override
    public void attemptRefused(Throwable refusal) {
        try {
            trace.attemptRefused(refusal);
        } catch (RuntimeException e) {
            ignored(tracer, e);
        }
    }

    @Override
    public void retryScheduled(long waitNanos, String reason) {
        try {
            trace.retryScheduled(waitNanos, reason);
        } catch (RuntimeException e) {
            ignored(tracer, e);
        }
    }

    @Override
    public void retriesStopped(String reason) {
        try {
            trace.retriesStopped(reason);
        } catch (RuntimeException e) {
            ignored(tracer, e);
        }
    }

    @Override
    public void fallback(String from, String to) {
        try {
            trace.fallback(from, to);
        } catch (RuntimeException e) {
            ignored(tracer, e);
        }
    }

    @Override
    public void ended(String outcome, Throwable failure) {
        try {
            trace.ended(outcome, failure);
        } catch (RuntimeException e) {
            ignored(tracer, e);
        }
    }

    private static void ignored(CallTracer tracer, RuntimeException e) {
        LOG.warn("Rebound tracer {} threw {}; ignored", tracer.getClass().getName(), e.getClass().getName());
    }
}
