package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.AttemptTimeoutException;
import dev.rebound.runtime.RejectedResultException;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.Classifier;
import dev.rebound.runtime.internal.ServerVerdict;

/**
 * Whether a failed attempt may be retried: the policy's lists and classifier, and what the server
 * said about the response (the {@link ServerVerdict} the failure carries). In order:
 * <ol>
 *   <li>a quota or billing failure is never retried ({@link Reason#QUOTA_EXHAUSTED}), whatever the
 *       lists say: it can't pass before someone pays or the period resets;</li>
 *   <li>{@code x-should-retry: false} ends the retries ({@link Reason#SERVER_DECLINED_RETRY});</li>
 *   <li>the policy: {@code abortOn}, then {@code on}, else the default classifier;</li>
 *   <li>{@code x-should-retry: true} retries what the default classifier refused (never what
 *       {@code abortOn} lists, nor a failure outside a non-empty {@code on}).</li>
 * </ol>
 */
final class RetryClassifier {

    private RetryClassifier() {
    }

    /** Null when {@code f} may be retried under {@code policy}; else why not. Allocates nothing. */
    static Reason refusal(RetryPolicy policy, Throwable f, ServerVerdict verdict) {
        if (f instanceof ReboundConfigurationException) {
            return Reason.NOT_RETRYABLE; // a misconfiguration is no transient failure, whatever a server says
        }
        if (f instanceof RejectedResultException) {
            // a result predicate rejected the result: retried (its own rule) unless abortOn lists it,
            // or the fallback predicate rejected it, which sends the call on without a retry
            if (((RejectedResultException) f).sendsToFallbacks()) {
                return Reason.RESULT_REJECTED;
            }
            return policy.aborts(f) ? Reason.NOT_RETRYABLE : null;
        }
        if (f instanceof AttemptTimeoutException) {
            return policy.aborts(f) ? Reason.NOT_RETRYABLE : null;
        }
        if (verdict != null) {
            if (verdict.quota() != null) {
                return Reason.QUOTA_EXHAUSTED;
            }
            if (verdict.shouldRetry() == Boolean.FALSE) {
                return Reason.SERVER_DECLINED_RETRY;
            }
        }
        if (policy.retries(f)) {
            return null;
        }
        if (verdict != null && verdict.shouldRetry() == Boolean.TRUE && f instanceof Exception
                && !(f instanceof InterruptedException) && policy.retryOn().isEmpty()
                && !policy.aborts(f)) {
            return null;
        }
        return Reason.NOT_RETRYABLE;
    }
}
