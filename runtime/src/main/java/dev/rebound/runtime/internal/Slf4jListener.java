package dev.rebound.runtime.internal;

import dev.rebound.runtime.RejectedResultException;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.internal.chain.RefusalAwareListener;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default listener: retries, a success after a failure, a circuit closing and a rate limit's refusal at
 * INFO; fallbacks (a rate limit's included), final failures, a circuit opening and a stream broken after its
 * first token at WARN; the rest at DEBUG: attempts, rate-limit waits and tokens, and the calls an open
 * circuit refused, already told by its opening at WARN (their fallback, and their success or failure when
 * nothing else failed: {@link RefusalAwareListener}, so that below DEBUG no event is even built for them).
 * Prints names, numbers and exception class names only: never arguments, results or messages.
 */
public enum Slf4jListener implements RefusalAwareListener {
    INSTANCE;

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");

    /** What it logs at WARN: fallbacks, final failures, interrupts, a circuit opening, a broken stream. */
    private static final Set<Kind> AT_WARN = Collections.unmodifiableSet(EnumSet.of(Kind.FALLBACK, Kind.FAILED,
            Kind.INTERRUPTED, Kind.CIRCUIT_OPENED, Kind.STREAM_BROKEN));
    /** ... and at INFO: retries, successes after a failure, a circuit closing, a rate limit's refusal. */
    private static final Set<Kind> AT_INFO = Collections.unmodifiableSet(union(AT_WARN,
            EnumSet.of(Kind.RETRY_SCHEDULED, Kind.SUCCEEDED, Kind.CIRCUIT_CLOSED, Kind.RATE_LIMIT_REFUSED)));
    /** ... and at DEBUG, everything (a call an open circuit refused is told in DEBUG lines). */
    private static final Set<Kind> AT_DEBUG = Collections.unmodifiableSet(EnumSet.allOf(Kind.class));
    private static final Set<Kind> NONE = Collections.unmodifiableSet(EnumSet.noneOf(Kind.class));

    private static Set<Kind> union(Set<Kind> a, Set<Kind> b) {
        EnumSet<Kind> u = EnumSet.copyOf(a);
        u.addAll(b);
        return u;
    }

    /**
     * The kinds the logger would print now, from its levels read once per call (levels are ordered: a
     * logger off at WARN is off at INFO and DEBUG): one check when {@code dev.rebound} is off, two at
     * WARN, three at INFO or DEBUG. A level changed at run time applies from the next call.
     */
    @Override
    public Set<Kind> wantedKinds() {
        if (!LOG.isWarnEnabled()) {
            return NONE;
        }
        if (!LOG.isInfoEnabled()) {
            return AT_WARN;
        }
        return LOG.isDebugEnabled() ? AT_DEBUG : AT_INFO;
    }

    /** Of a call an open circuit refused, nothing below DEBUG: its lines are DEBUG lines. */
    @Override
    public Set<Kind> wantedWhenRefused(Set<Kind> wanted) {
        return wanted == AT_DEBUG ? AT_DEBUG : NONE;
    }

    /** A call its own open circuit refused: told by the opening's WARN line, so at DEBUG. */
    @Override
    public void onRefusedEvent(ReboundEvent e) {
        switch (e.kind()) {
            case FALLBACK:
                LOG.debug("{}: circuit open, falling back from {} to {}", e.method(), e.target(), e.alternative());
                break;
            case SUCCEEDED:
                if (e.attempt() == 0) {
                    LOG.debug("{}: succeeded on {}, the fallback handler's own answer", e.method(), e.target());
                    break;
                }
                LOG.debug("{}: succeeded on {} at attempt {}", e.method(), e.target(), e.attempt());
                break;
            case FAILED:
                LOG.debug("{}: circuit open, throwing {}", e.method(), e.failure().getClass().getName());
                break;
            default:
                onEvent(e);
        }
    }

    /** As {@link #wantedKinds()}, for one kind (the engine asks {@code wantedKinds}). */
    @Override
    public boolean wants(Kind kind) {
        return wantedKinds().contains(kind);
    }

    @Override
    public void onEvent(ReboundEvent e) {
        String failure = e.failure() == null ? "-" : e.failure().getClass().getName();
        switch (e.kind()) {
            case RESULT_REJECTED:
                LOG.debug("{} on {}: attempt {} returned a rejected result", e.method(), e.target(), e.attempt());
                break;
            case ATTEMPT_FAILED:
                LOG.debug("{} on {}: attempt {} failed with {}", e.method(), e.target(), e.attempt(), failure);
                break;
            case RETRY_SCHEDULED:
                LOG.info("{} on {}: retrying after {}: attempt {} in {} ms ({})", e.method(), e.target(),
                        e.failure() instanceof RejectedResultException ? "a rejected result" : failure,
                        e.attempt(), e.waitTime().toMillis(), e.reason());
                break;
            case RETRIES_EXHAUSTED:
                LOG.debug("{} on {}: no more attempts after attempt {} ({}), last failure {}", e.method(),
                        e.target(), e.attempt(), e.reason(), failure);
                break;
            case FALLBACK:
                // the method's own rate limit refused the call: nothing was sent, a fallback answers
                if ("rate-limited".equals(e.reason())) {
                    LOG.warn("{}: rate limit refused, falling back from {} to {}", e.method(), e.target(),
                            e.alternative());
                    break;
                }
                LOG.warn("{}: falling back from {} to {} after {}", e.method(), e.target(), e.alternative(),
                        failure);
                break;
            case SUCCEEDED:
                if (e.attempt() == 0) { // a fallback handler answered itself: no attempt was sent
                    LOG.info("{}: succeeded on {}, the fallback handler's own answer", e.method(), e.target());
                    break;
                }
                LOG.info("{}: succeeded on {} at attempt {}", e.method(), e.target(), e.attempt());
                break;
            case FAILED:
                if ("cancelled".equals(e.reason())) {
                    // the caller gets a CancellationException: say so, and what the call had last seen
                    LOG.warn("{}: failed for good on {}, cancelled by the caller (last {})", e.method(), e.target(),
                            failure);
                    break;
                }
                LOG.warn("{}: failed for good on {}, throwing {}", e.method(), e.target(), failure);
                break;
            case INTERRUPTED:
                LOG.warn("{} on {}: interrupted while waiting before attempt {}; giving up", e.method(),
                        e.target(), e.attempt());
                break;
            case CIRCUIT_OPENED:
                LOG.warn("{} on {}: circuit opened for {} ms ({}) after {}", e.method(), e.target(),
                        e.waitTime().toMillis(), e.reason(), failure);
                break;
            case STREAM_BROKEN: {
                Throwable cause = e.failure() == null ? null : e.failure().getCause();
                LOG.warn("{} on {}: the stream of attempt {} broke after {} partial responses ({}); not restarted, "
                        + "the handler gets a PartialStreamException", e.method(), e.target(), e.attempt(),
                        e.tokens(), cause == null ? failure : cause.getClass().getName());
                break;
            }
            case CIRCUIT_HALF_OPEN:
                LOG.debug("{} on {}: circuit half-open, letting probes through", e.method(), e.target());
                break;
            case CIRCUIT_CLOSED:
                LOG.info("{} on {}: circuit closed", e.method(), e.target());
                break;
            case RATE_LIMIT_REFUSED:
                LOG.info("{} on {}: rate limit \"{}\" refused attempt {} without sending it ({})", e.method(),
                        e.target(), e.rateLimitKey(), e.attempt(), e.reason());
                break;
            case RATE_LIMIT_WAITED:
                LOG.debug("{} on {}: rate limit \"{}\" held attempt {} back {} ms", e.method(), e.target(),
                        e.rateLimitKey(), e.attempt(), e.waitTime().toMillis());
                break;
            default:
                LOG.debug("{}", e);
        }
    }
}
