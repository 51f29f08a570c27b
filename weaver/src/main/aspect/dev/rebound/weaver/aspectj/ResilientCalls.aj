package dev.rebound.weaver.aspectj;

import dev.rebound.runtime.spi.QuietRetry;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.internal.Handoff;
import java.util.concurrent.Callable;
import org.aspectj.lang.JoinPoint;
import org.aspectj.lang.annotation.SuppressAjWarnings;

/**
 * The around advices of {@link ResilientMethods#resilient}, written once for the two aspects that find
 * a join point's policy: {@link ResilientClasses}, one instance per woven class, in a slot per join point
 * of that class; {@link ResilientMethods}, for the join points it can't hold (default methods of
 * interfaces, methods of enums), in {@link dev.rebound.weaver.internal.Sites}. Their {@link #scope()}s split the join
 * points between them, each to exactly one.
 *
 * <p>The advices (one per primitive return type, so that no result is boxed) are inlined by ajc and
 * allocate nothing: an annotated method runs its first attempt right here, in the runtime's door
 * protocol (see {@link ResilientMethod}); a bare one (no breaker, budget or deadline, nothing observing
 * successes) asks nothing else before or after it. After a failure, while the call is quiet (nothing
 * observes it, its failures are one instance), the advice runs the primary's retries itself: the engine
 * judges each failure and sleeps the wait ({@link ResilientMethod#retryNow}), and the advice proceeds
 * again, with no closure. Whatever else the call needs (the alternatives, the chain a listener or a
 * tracer wants, a second distinct failure) the last advice, the recovery, hands to the engine, from the
 * state so far ({@link ResilientMethod#takeOver}).
 *
 * <p>The recovery is this aspect's own, not another's, so that no other aspect's advice can run between
 * the advice that runs the attempts and the recovery that runs the engine's: an application's advice on
 * the same method runs either outside both (once around the call) or inside both (once around each
 * attempt, the advice's and the engine's alike), never around the advice's attempts alone.
 */
public abstract aspect ResilientCalls {

    /** The join points this aspect advises. */
    protected abstract pointcut scope();

    /**
     * The policy to apply to this call of {@code jp} on {@code self}: null when there is none, or when
     * the engine is calling {@code self} as an alternative ({@link dev.rebound.runtime.spi.Passthrough}).
     */
    protected abstract ResilientMethod active(Object self, JoinPoint.StaticPart jp);

    // One advice per primitive return type, the same code each: an Object-returning advice would box
    // the result of every call. (boolean and byte boxes are cached, so Object serves them.)

    @SuppressAjWarnings("adviceDidNotMatch")
    Object around(Object self): ResilientMethods.resilient(self) && scope() && !execution(int *(..)) && !execution(long *(..))
            && !execution(double *(..)) && !execution(float *(..)) && !execution(short *(..))
            && !execution(char *(..)) {
        ResilientMethod policy = active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            Throwable first;
            try {
                Object result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
                return result;
            } catch (Throwable t) {
                first = t;
            }
            Throwable failure = first;
            int attempt = 1;
            Object next = null;
            while ((next = policy.retryNow(next, first, failure, attempt, start)) instanceof QuietRetry) {
                try {
                    return proceed(self);
                } catch (Throwable t) {
                    failure = t;
                    attempt++;
                }
            }
            Handoff.give(self, thisJoinPointStaticPart, policy, next, first, failure, attempt, start);
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    @SuppressAjWarnings("adviceDidNotMatch")
    int around(Object self): ResilientMethods.resilient(self) && scope() && execution(int *(..)) {
        ResilientMethod policy = active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            Throwable first;
            try {
                int result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
                return result;
            } catch (Throwable t) {
                first = t;
            }
            Throwable failure = first;
            int attempt = 1;
            Object next = null;
            while ((next = policy.retryNow(next, first, failure, attempt, start)) instanceof QuietRetry) {
                try {
                    return proceed(self);
                } catch (Throwable t) {
                    failure = t;
                    attempt++;
                }
            }
            Handoff.give(self, thisJoinPointStaticPart, policy, next, first, failure, attempt, start);
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    @SuppressAjWarnings("adviceDidNotMatch")
    long around(Object self): ResilientMethods.resilient(self) && scope() && execution(long *(..)) {
        ResilientMethod policy = active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            Throwable first;
            try {
                long result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
                return result;
            } catch (Throwable t) {
                first = t;
            }
            Throwable failure = first;
            int attempt = 1;
            Object next = null;
            while ((next = policy.retryNow(next, first, failure, attempt, start)) instanceof QuietRetry) {
                try {
                    return proceed(self);
                } catch (Throwable t) {
                    failure = t;
                    attempt++;
                }
            }
            Handoff.give(self, thisJoinPointStaticPart, policy, next, first, failure, attempt, start);
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    @SuppressAjWarnings("adviceDidNotMatch")
    double around(Object self): ResilientMethods.resilient(self) && scope() && execution(double *(..)) {
        ResilientMethod policy = active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            Throwable first;
            try {
                double result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
                return result;
            } catch (Throwable t) {
                first = t;
            }
            Throwable failure = first;
            int attempt = 1;
            Object next = null;
            while ((next = policy.retryNow(next, first, failure, attempt, start)) instanceof QuietRetry) {
                try {
                    return proceed(self);
                } catch (Throwable t) {
                    failure = t;
                    attempt++;
                }
            }
            Handoff.give(self, thisJoinPointStaticPart, policy, next, first, failure, attempt, start);
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    @SuppressAjWarnings("adviceDidNotMatch")
    float around(Object self): ResilientMethods.resilient(self) && scope() && execution(float *(..)) {
        ResilientMethod policy = active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            Throwable first;
            try {
                float result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
                return result;
            } catch (Throwable t) {
                first = t;
            }
            Throwable failure = first;
            int attempt = 1;
            Object next = null;
            while ((next = policy.retryNow(next, first, failure, attempt, start)) instanceof QuietRetry) {
                try {
                    return proceed(self);
                } catch (Throwable t) {
                    failure = t;
                    attempt++;
                }
            }
            Handoff.give(self, thisJoinPointStaticPart, policy, next, first, failure, attempt, start);
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    @SuppressAjWarnings("adviceDidNotMatch")
    short around(Object self): ResilientMethods.resilient(self) && scope() && execution(short *(..)) {
        ResilientMethod policy = active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            Throwable first;
            try {
                short result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
                return result;
            } catch (Throwable t) {
                first = t;
            }
            Throwable failure = first;
            int attempt = 1;
            Object next = null;
            while ((next = policy.retryNow(next, first, failure, attempt, start)) instanceof QuietRetry) {
                try {
                    return proceed(self);
                } catch (Throwable t) {
                    failure = t;
                    attempt++;
                }
            }
            Handoff.give(self, thisJoinPointStaticPart, policy, next, first, failure, attempt, start);
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    @SuppressAjWarnings("adviceDidNotMatch")
    char around(Object self): ResilientMethods.resilient(self) && scope() && execution(char *(..)) {
        ResilientMethod policy = active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            Throwable first;
            try {
                char result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
                return result;
            } catch (Throwable t) {
                first = t;
            }
            Throwable failure = first;
            int attempt = 1;
            Object next = null;
            while ((next = policy.retryNow(next, first, failure, attempt, start)) instanceof QuietRetry) {
                try {
                    return proceed(self);
                } catch (Throwable t) {
                    failure = t;
                    attempt++;
                }
            }
            Handoff.give(self, thisJoinPointStaticPart, policy, next, first, failure, attempt, start);
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    /**
     * The recovery. Runs inside the advices above and only when the engine is to take a call over (what
     * their own retries leave: a fallback, a second distinct failure, the end of the retries, an interrupt,
     * a listener or a tracer that wants the call, a policy with more than retries and fallbacks), or when a
     * circuit breaker that is not closed keeps them from running the first attempt (its guard is one static
     * read otherwise): hands the call to the engine, with AspectJ's closure as the call's context, which
     * re-runs the method body (and the advices of the aspects ordered inside this one) for retries and holds
     * the call's arguments for the alternatives ({@link Handoff#CLOSURE}), so that the recovery allocates
     * nothing of its own. Declared after the advices above: AspectJ runs it inside them.
     */
    @SuppressAjWarnings("adviceDidNotMatch")
    Object around(Object self): ResilientMethods.resilient(self) && scope()
            && if(Handoff.waitingFor(self, thisJoinPointStaticPart)) {
        if (self == null) {
            // Never taken (this(self) binds a non-null object). ajc inlines an around advice that never
            // proceeds, and an inlined advice gets no closure: a proceed inside an inner class keeps it.
            Callable<Object> keepsTheClosure = new Callable<Object>() {
                public Object call() {
                    return proceed(self);
                }
            };
        }
        try {
            return Handoff.recover(ajc$aroundClosure);
        } catch (Throwable t) {
            throw Handoff.sneaky(t);
        }
    }
}
