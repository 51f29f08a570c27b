package dev.rebound.weaver.aspectj;

import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.internal.Handoff;
import dev.rebound.weaver.internal.Sites;
import dev.rebound.weaver.internal.WovenPolicies;

/**
 * Applies {@code @Retry} / {@code @Fallback} to the public methods of the classes it is woven into,
 * wherever the annotations sit: on the method, on the class, or on an interface the class
 * implements (which AspectJ's own annotation matching does not see, hence the broad pointcut and a
 * policy looked up once per join point and class).
 *
 * <p>The around advices (one per primitive return type, so that no result is boxed) are inlined by
 * ajc and allocate nothing: an unannotated method costs an array read and a compare; an annotated
 * one also runs its first attempt right here, in the runtime's door protocol (see
 * {@link dev.rebound.runtime.spi.ResilientMethod}). Only after a failure does {@link Recovery} take over,
 * with the engine. One instance per woven class ({@code pertypewithin}), holding that class's
 * {@link Sites}. Misconfigurations the build can see are compile errors (the weaver's annotation
 * processor, and the declare errors below); the rest fail the class's initialisation.
 */
public aspect ResilientMethods pertypewithin(!dev.rebound.annotations..* && !dev.rebound.runtime..*
        && !dev.rebound.weaver..* && !org.aspectj..* && !com.google.inject..*
        && !is(InterfaceType) && !is(AnnotationType) && !is(AspectType)) {

    /**
     * Every public instance method of a woven class, except equals, hashCode and toString. (Default
     * methods of interfaces are left out by {@code pertypewithin}; {@code within(is(InterfaceType))}
     * can't say it, as it also matches classes nested in an interface.)
     */
    public pointcut resilient(Object self): execution(public !static * *(..)) && this(self)
        && !execution(boolean equals(Object)) && !execution(int hashCode()) && !execution(String toString())
        && !within(dev.rebound.annotations..*) && !within(dev.rebound.runtime..*)
        && !within(dev.rebound.weaver..*) && !within(org.aspectj..*) && !within(com.google.inject..*);

    declare parents: !dev.rebound.annotations..* && !dev.rebound.runtime..* && !dev.rebound.weaver..*
        && !org.aspectj..* && !com.google.inject..* && !is(InterfaceType)
        && !is(AnnotationType) && !is(AspectType) && !is(EnumType) implements Woven;

    declare error: execution(@dev.rebound.annotations.Retry !public * *(..))
        || execution(@dev.rebound.annotations.Fallback !public * *(..))
        || execution(@dev.rebound.annotations.CircuitBreaker !public * *(..))
        : "Rebound: @Retry, @Fallback and @CircuitBreaker apply to public methods only ({joinpoint.signature})";

    declare error: execution(@dev.rebound.annotations.Retry static * *(..))
        || execution(@dev.rebound.annotations.Fallback static * *(..))
        || execution(@dev.rebound.annotations.CircuitBreaker static * *(..))
        : "Rebound: @Retry, @Fallback and @CircuitBreaker apply to instance methods only ({joinpoint.signature})";

    private final Sites sites = new Sites();

    /** Resolves every policy of the class as it initialises: a misconfiguration fails here, never on a call. */
    after() returning: staticinitialization(!dev.rebound.annotations..* && !dev.rebound.runtime..* && !dev.rebound.weaver..*
        && !org.aspectj..* && !com.google.inject..*
            && !is(InterfaceType) && !is(AnnotationType) && !is(AspectType)) {
        WovenPolicies.validate(thisJoinPointStaticPart.getSignature().getDeclaringType());
    }

    // One advice per primitive return type, the same code each: an Object-returning advice would box
    // the result of every call. (boolean and byte boxes are cached, so Object serves them.)

    Object around(Object self): resilient(self) && !execution(int *(..)) && !execution(long *(..))
            && !execution(double *(..)) && !execution(float *(..)) && !execution(short *(..))
            && !execution(char *(..)) {
        ResilientMethod policy = sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        long start = policy.start();
        if (Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                Object result = proceed(self);
                policy.succeeded(start);
                return result;
            } catch (Throwable t) {
                Handoff.give(self, thisJoinPointStaticPart, policy, t, start);
            }
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    int around(Object self): resilient(self) && execution(int *(..)) {
        ResilientMethod policy = sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        long start = policy.start();
        if (Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                int result = proceed(self);
                policy.succeeded(start);
                return result;
            } catch (Throwable t) {
                Handoff.give(self, thisJoinPointStaticPart, policy, t, start);
            }
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    long around(Object self): resilient(self) && execution(long *(..)) {
        ResilientMethod policy = sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        long start = policy.start();
        if (Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                long result = proceed(self);
                policy.succeeded(start);
                return result;
            } catch (Throwable t) {
                Handoff.give(self, thisJoinPointStaticPart, policy, t, start);
            }
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    double around(Object self): resilient(self) && execution(double *(..)) {
        ResilientMethod policy = sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        long start = policy.start();
        if (Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                double result = proceed(self);
                policy.succeeded(start);
                return result;
            } catch (Throwable t) {
                Handoff.give(self, thisJoinPointStaticPart, policy, t, start);
            }
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    float around(Object self): resilient(self) && execution(float *(..)) {
        ResilientMethod policy = sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        long start = policy.start();
        if (Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                float result = proceed(self);
                policy.succeeded(start);
                return result;
            } catch (Throwable t) {
                Handoff.give(self, thisJoinPointStaticPart, policy, t, start);
            }
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    short around(Object self): resilient(self) && execution(short *(..)) {
        ResilientMethod policy = sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        long start = policy.start();
        if (Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                short result = proceed(self);
                policy.succeeded(start);
                return result;
            } catch (Throwable t) {
                Handoff.give(self, thisJoinPointStaticPart, policy, t, start);
            }
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }

    char around(Object self): resilient(self) && execution(char *(..)) {
        ResilientMethod policy = sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        long start = policy.start();
        if (Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                char result = proceed(self);
                policy.succeeded(start);
                return result;
            } catch (Throwable t) {
                Handoff.give(self, thisJoinPointStaticPart, policy, t, start);
            }
        }
        try {
            return proceed(self);
        } finally {
            Handoff.drop();
        }
    }
}
