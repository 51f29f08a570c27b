package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundListener;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.Alternative;
import dev.rebound.runtime.internal.Leftovers;
import dev.rebound.runtime.metrics.MicrometerListener;
import dev.rebound.runtime.spi.ResilientMethod;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what one method's chain does to the listeners of its settings. An event is built only
 * when some listener wants its kind, and at most once: during a call, as the call's {@link CallDemand}
 * says (asked at its first event); outside a call, asked before each event. A listener that throws an
 * exception is logged (by class name) and ignored: it never changes a call's outcome; an Error is not
 * caught, and ends the call with it.
 */
final class Events {

    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    private final String method;
    /** The primary's name: the target of a first-attempt success. */
    private final String primaryName;
    /** Null: read {@link ReboundSettings#global()} live. */
    private final ReboundSettings fixed;

    Events(String method, String primaryName, ReboundSettings fixed) {
        this.method = method;
        this.primaryName = primaryName;
        this.fixed = fixed;
    }

    String method() {
        return method;
    }

    /** The settings this method runs with now. */
    ReboundSettings settings() {
        ReboundSettings s = fixed;
        return s != null ? s : ReboundSettings.global();
    }

    /** An event of {@code call}, without a call duration: built only if a listener wants it in this call. */
    void emit(Execution call, Kind kind, String target, String alternative, int attempt, long waitNanos,
            Reason reason, Throwable failure) {
        emit(call, kind, target, alternative, attempt, waitNanos, reason, failure, ResilientMethod.UNTIMED);
    }

    /**
     * An event of {@code call}, delivered to the listeners that want {@code kind} in this call (asked at
     * its first event, {@link CallDemand}). A final event (SUCCEEDED, FAILED) carries the call's duration
     * when {@code start} is a reading.
     */
    void emit(Execution call, Kind kind, String target, String alternative, int attempt, long waitNanos,
            Reason reason, Throwable failure, long start) {
        deliver(call, kind, target, alternative, attempt, waitNanos, reason, failure, start, null, 0L);
    }

    /** A rate-limit event (RATE_LIMIT_ kinds) of {@code call}: the limit's key, and a wait or a token count. */
    void emitRateLimit(Execution call, Kind kind, int attempt, long waitNanos, Reason reason, Throwable failure,
            String key, long tokens) {
        deliver(call, kind, call.target, null, attempt, waitNanos, reason, failure, ResilientMethod.UNTIMED, key,
                tokens);
    }

    private void deliver(Execution call, Kind kind, String target, String alternative, int attempt,
            long waitNanos, Reason reason, Throwable failure, long start, String key, long tokens) {
        CallDemand d = call.demand;
        if (d.silent(call.settings)) {
            return;
        }
        boolean refused = refusedByOpenCircuit(call, kind, reason);
        ReboundEvent event = null;
        Object mdc = CallDemand.KEPT;
        try {
            for (int i = 0, n = d.size(); i < n; i++) {
                ReboundListener l = d.listener(i);
                try {
                    if (!d.wants(i, kind, refused)) {
                        continue;
                    }
                    if (event == null) {
                        event = event(call.settings, kind, target, alternative, attempt, waitNanos, reason, failure,
                                start, key, tokens, attemptOnWrapper(call, kind), call.nested);
                        mdc = d.enter(call.async);
                    }
                    notify(l, event, refused);
                } catch (RuntimeException e) {
                    ignored(l, e);
                }
            }
        } finally {
            CallDemand.leave(mdc);
        }
    }

    /**
     * Whether an event of {@code call} is one of a call its own open circuit refused, which that circuit's
     * opening told of already ({@link RefusalAwareListener}): the switch away from the open circuit; the
     * end of a call whose every failure was such a refusal (nothing else was tried, or it answered).
     */
    static boolean refusedByOpenCircuit(Execution call, Kind kind, Reason reason) {
        switch (kind) {
            case FALLBACK:
                return reason == Reason.CIRCUIT_OPEN;
            case FAILED:
                return reason == Reason.CIRCUIT_OPEN && call.history.onlyOpenCircuitRefusals(call);
            case SUCCEEDED:
                return call.history.onlyOpenCircuitRefusals(call);
            default:
                return false;
        }
    }

    /**
     * An event outside any call (a breaker's transition, a stream broken after its call answered, a call
     * cancelled before its chain ran): each listener is asked before it, as {@link #wanted} says.
     */
    void emit(ReboundSettings s, Kind kind, String target, String alternative, int attempt, long waitNanos,
            Reason reason, Throwable failure, long start) {
        deliver(null, s, kind, target, alternative, attempt, waitNanos, reason, failure, start, 0L);
    }

    /**
     * A breaker's transition on {@code target}: asked and handed over as an event outside any call, with
     * {@code context} in place, the MDC of the call whose attempt made it as it was then
     * ({@link CallDemand#contextOf}), so that it is logged as the call's lines are, whichever thread
     * completed the attempt and whichever thread tells it.
     */
    void emitTransition(Object context, ReboundSettings s, Kind kind, String target, long waitNanos, Reason reason,
            Throwable failure) {
        deliver(context, s, kind, target, null, 0, waitNanos, reason, failure, ResilientMethod.UNTIMED, 0L);
    }

    private void deliver(Object context, ReboundSettings s, Kind kind, String target, String alternative,
            int attempt, long waitNanos, Reason reason, Throwable failure, long start, long tokens) {
        List<ReboundListener> ls = s.listeners();
        ReboundEvent event = null;
        Object mdc = context != null ? CallDemand.putContext(context) : CallDemand.KEPT; // a transition: rare
        try {
            for (int i = 0, n = ls.size(); i < n; i++) {
                ReboundListener l = ls.get(i);
                try {
                    if (!wanted(l, kind)) {
                        continue;
                    }
                    if (event == null) {
                        event = event(s, kind, target, alternative, attempt, waitNanos, reason, failure, start,
                                null, tokens, false, false);
                    }
                    notify(l, event);
                } catch (RuntimeException e) {
                    ignored(l, e);
                }
            }
        } finally {
            CallDemand.leave(mdc);
        }
    }

    /**
     * Delivers {@code event} to {@code l}. A listener is user code in the middle of a failure's handling:
     * what the failure has yet to take from the thread (a Retry-After hint, a server's verdict) is held
     * apart while it runs, so that a resilient call it makes (an alert) neither takes nor forgets it.
     */
    private static void notify(ReboundListener l, ReboundEvent event) {
        notify(l, event, false);
    }

    /** As {@link #notify(ReboundListener, ReboundEvent)}; an event {@code refused} by the call's open circuit apart. */
    private static void notify(ReboundListener l, ReboundEvent event, boolean refused) {
        Object held = Leftovers.hold();
        try {
            if (refused && l instanceof RefusalAwareListener) {
                ((RefusalAwareListener) l).onRefusedEvent(event);
            } else {
                l.onEvent(event);
            }
        } finally {
            Leftovers.putBack(held);
        }
    }

    /**
     * Whether {@code l} wants {@code kind} now: its set of kinds when it has one, else its {@code wants};
     * asked with what a failure being handled has yet to take held apart, as {@link #notify} does.
     */
    static boolean wanted(ReboundListener l, Kind kind) {
        Object held = Leftovers.hold();
        try {
            Set<Kind> k = l.wantedKinds();
            return k != null ? k.contains(kind) : l.wants(kind);
        } finally {
            Leftovers.putBack(held);
        }
    }

    /**
     * Whether an event of {@code call} tells of an attempt on an alternative that applies a policy of its own
     * (a wrapper, a woven or intercepted instance: {@link Alternative#ownPolicy}; {@link
     * ReboundEvent#attemptOnWrapper}) whose settings count the requests it sent (a
     * {@link MicrometerListener} of their own): a wrapper that no such listener hears leaves them to this call.
     */
    private static boolean attemptOnWrapper(Execution call, Kind kind) {
        if (call.onPrimary || kind != Kind.ATTEMPT_FAILED && kind != Kind.RESULT_REJECTED && kind != Kind.SUCCEEDED
                || !(call.invoker instanceof Alternative)) {
            return false;
        }
        ResilientMethod own = ((Alternative) call.invoker).ownPolicy(call.instance);
        if (!(own instanceof MethodExecutor)) {
            return own != null;
        }
        for (ReboundListener l : ((MethodExecutor) own).events.settings().listeners()) {
            if (l instanceof MicrometerListener) {
                return true;
            }
        }
        return false;
    }

    private ReboundEvent event(ReboundSettings s, Kind kind, String target, String alternative, int attempt,
            long waitNanos, Reason reason, Throwable failure, long start, String key, long tokens,
            boolean attemptOnWrapper, boolean nested) {
        long nanos = kind == Kind.SUCCEEDED || kind == Kind.FAILED ? Clock.since(start, s.timeSource()) : -1L;
        return new ReboundEvent(kind, method, target, alternative, attempt,
                waitNanos == 0L ? Duration.ZERO : Duration.ofNanos(waitNanos),
                reason == null ? null : reason.wire(), failure, nanos < 0 ? null : Duration.ofNanos(nanos),
                key, tokens, attemptOnWrapper, nested);
    }

    /**
     * A stream that broke after {@code partialResponses} partial responses of attempt {@code attempt} on
     * {@code target}; {@code failure} is what the caller's handler got. After its call answered: asked per event.
     */
    void emitStreamBroken(ReboundSettings s, String target, int attempt, Throwable failure, int partialResponses) {
        deliver(null, s, Kind.STREAM_BROKEN, target, null, attempt, 0L, null, failure, ResilientMethod.UNTIMED,
                partialResponses);
    }

    /**
     * Tells the listeners that time calls about a first attempt that succeeded; builds nothing. A
     * {@code nested} call (one an enclosing call made on this method's wrapper as its alternative,
     * {@link dev.rebound.runtime.internal.NestedCalls}) is told as such.
     */
    void firstAttemptSucceeded(ReboundSettings s, long start, boolean nested) {
        if (!s.timesSuccess()) {
            return;
        }
        long nanos = Clock.since(start, s.timeSource());
        List<ReboundListener> ls = s.listeners();
        for (int i = 0, n = ls.size(); i < n; i++) {
            ReboundListener l = ls.get(i);
            try { // the question too: a listener asked per call may throw when asked, and changes no outcome
                if (!l.wantsFirstAttemptSuccess()) {
                    continue;
                }
                if (nested) {
                    l.onNestedFirstAttemptSuccess(method, primaryName, nanos);
                } else {
                    l.onFirstAttemptSuccess(method, primaryName, nanos);
                }
            } catch (RuntimeException e) {
                ignored(l, e);
            }
        }
    }

    static void ignored(ReboundListener l, RuntimeException e) {
        LOG.warn("Rebound listener {} threw {}; ignored", l.getClass().getName(), e.getClass().getName());
    }
}
