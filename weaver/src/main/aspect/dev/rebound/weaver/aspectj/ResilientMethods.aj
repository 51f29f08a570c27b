package dev.rebound.weaver.aspectj;

import org.aspectj.lang.annotation.SuppressAjWarnings;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.internal.DeclaresPolicy;
import dev.rebound.weaver.internal.Handoff;
import dev.rebound.weaver.internal.Sites;
import dev.rebound.weaver.internal.WovenPolicies;

/**
 * Applies {@code @Retry} / {@code @Fallback} / {@code @CircuitBreaker} to the classes that carry a
 * policy, wherever the annotations sit: on the method, on the class, or on an interface or superclass
 * the class inherits from, whatever its visibility or shape (package-private, nested, inner, local,
 * anonymous), and to annotated default methods.
 *
 * <p>AspectJ's annotation patterns see only a method's own annotations, not those of the interface
 * method it implements. So the weave is decided per type: every type that declares a policy gets the
 * {@link DeclaresPolicy} marker, every class below one gets {@link Woven}, and only the public methods
 * of those types are advised. An abstract class's public methods are advised too, behind an
 * {@code instanceof Woven} test, since a subclass that carries a policy may run them as they are. Any
 * other class without a policy is left exactly as the compiler made it; a policy class that would run a
 * public method inherited from such a class fails its initialisation, naming the fix.
 * Within an advised class, a method without a policy costs a lookup in {@link Sites} (an identity
 * hash, an array read, two compares).
 *
 * <p>The around advices (one per primitive return type, so that no result is boxed) are inlined by
 * ajc and allocate nothing: an annotated method runs its first attempt right here, in the runtime's
 * door protocol (see {@link dev.rebound.runtime.spi.ResilientMethod}); a bare one (no breaker, budget
 * or deadline, nothing observing successes) asks nothing else before or after it. Only after a failure does
 * {@link Recovery} take over, with the engine. The aspect is a singleton and keeps no state; the
 * policies of a type's join points live in {@link Sites}. Misconfigurations the build can see are
 * compile errors (the weaver's annotation processor, and the declare errors below); the rest fail the
 * class's initialisation.
 */
public aspect ResilientMethods {

    /** An interface that declares a policy on itself or on one of its own methods. */
    declare parents: is(InterfaceType) && (@dev.rebound.annotations.Retry * || @dev.rebound.annotations.Fallback *
            || @dev.rebound.annotations.CircuitBreaker *
            || hasmethod(@dev.rebound.annotations.Retry * *(..))
            || hasmethod(@dev.rebound.annotations.Fallback * *(..))
            || hasmethod(@dev.rebound.annotations.CircuitBreaker * *(..)))
        && !is(AnnotationType) && !dev.rebound.annotations..* && !dev.rebound.runtime..*
        && !dev.rebound.weaver..* && !org.aspectj..* && !DeclaresPolicy+
        implements DeclaresPolicy;

    /**
     * A class that carries a policy: declared on itself or one of its own methods, or inherited from an
     * interface or a superclass. Its public methods are advised.
     */
    declare parents: !is(InterfaceType) && !is(AnnotationType) && !is(AspectType) && !is(EnumType)
        && (DeclaresPolicy+ || @dev.rebound.annotations.Retry * || @dev.rebound.annotations.Fallback *
            || @dev.rebound.annotations.CircuitBreaker *
            || hasmethod(@dev.rebound.annotations.Retry * *(..))
            || hasmethod(@dev.rebound.annotations.Fallback * *(..))
            || hasmethod(@dev.rebound.annotations.CircuitBreaker * *(..)))
        && !dev.rebound.annotations..* && !dev.rebound.runtime..* && !dev.rebound.weaver..* && !org.aspectj..*
        && !Woven+ && !dev.rebound.runtime.spi.GeneratedWrapper+
        implements Woven;

    /**
     * Every public instance method of a type that carries a policy (default methods of annotated
     * interfaces included), and every annotated public method (whatever type pattern its class
     * escapes), except equals, hashCode and toString.
     */
    public pointcut resilient(Object self): (execution(public !static * (Woven+ || DeclaresPolicy+).*(..))
            || execution(@dev.rebound.annotations.Retry public !static * *(..))
            || execution(@dev.rebound.annotations.Fallback public !static * *(..))
            || execution(@dev.rebound.annotations.CircuitBreaker public !static * *(..))
            || execution(public !static * *(..)) && within(is(AbstractType) && !is(InterfaceType)) && this(Woven))
        && this(self)
        && !execution(boolean equals(Object)) && !execution(int hashCode()) && !execution(String toString())
        && !within(dev.rebound.annotations..*) && !within(dev.rebound.runtime..*)
        && !within(dev.rebound.weaver..*) && !within(org.aspectj..*)
        // a Rebound.wrap class the processor generated applies its policies itself
        && !within(dev.rebound.runtime.spi.GeneratedWrapper+);

    declare error: execution(@dev.rebound.annotations.Retry !public * *(..))
        || execution(@dev.rebound.annotations.Fallback !public * *(..))
        || execution(@dev.rebound.annotations.CircuitBreaker !public * *(..))
        || execution(@dev.rebound.annotations.RateLimit !public * *(..))
        : "Rebound: @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to public methods only ({joinpoint.signature})";

    declare error: execution(@dev.rebound.annotations.Retry static * *(..))
        || execution(@dev.rebound.annotations.Fallback static * *(..))
        || execution(@dev.rebound.annotations.CircuitBreaker static * *(..))
        || execution(@dev.rebound.annotations.RateLimit static * *(..))
        : "Rebound: @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to instance methods only ({joinpoint.signature})";

    /** Resolves every policy of the class as it initialises: a misconfiguration fails here, never on a call. */
    @SuppressAjWarnings("adviceDidNotMatch")
    after() returning: staticinitialization(Woven+ && !dev.rebound.weaver..*) {
        WovenPolicies.validate(thisJoinPointStaticPart.getSignature().getDeclaringType());
    }

    // One advice per primitive return type, the same code each: an Object-returning advice would box
    // the result of every call. (boolean and byte boxes are cached, so Object serves them.)

    @SuppressAjWarnings("adviceDidNotMatch")
    Object around(Object self): resilient(self) && !execution(int *(..)) && !execution(long *(..))
            && !execution(double *(..)) && !execution(float *(..)) && !execution(short *(..))
            && !execution(char *(..)) {
        ResilientMethod policy = Sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                Object result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
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

    @SuppressAjWarnings("adviceDidNotMatch")
    int around(Object self): resilient(self) && execution(int *(..)) {
        ResilientMethod policy = Sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                int result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
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

    @SuppressAjWarnings("adviceDidNotMatch")
    long around(Object self): resilient(self) && execution(long *(..)) {
        ResilientMethod policy = Sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                long result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
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

    @SuppressAjWarnings("adviceDidNotMatch")
    double around(Object self): resilient(self) && execution(double *(..)) {
        ResilientMethod policy = Sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                double result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
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

    @SuppressAjWarnings("adviceDidNotMatch")
    float around(Object self): resilient(self) && execution(float *(..)) {
        ResilientMethod policy = Sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                float result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
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

    @SuppressAjWarnings("adviceDidNotMatch")
    short around(Object self): resilient(self) && execution(short *(..)) {
        ResilientMethod policy = Sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                short result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
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

    @SuppressAjWarnings("adviceDidNotMatch")
    char around(Object self): resilient(self) && execution(char *(..)) {
        ResilientMethod policy = Sites.active(self, thisJoinPointStaticPart);
        if (policy == null) {
            return proceed(self);
        }
        boolean bare = policy.bareFirstAttempt();
        long start = bare ? ResilientMethod.UNTIMED : policy.start();
        if (bare || Handoff.admitted(self, thisJoinPointStaticPart, policy, start)) {
            try {
                char result = proceed(self);
                if (!bare) {
                    policy.succeeded(start);
                }
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
