package dev.rebound.weaver.aspectj;

import org.aspectj.lang.annotation.SuppressAjWarnings;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.internal.DeclaresPolicy;
import dev.rebound.weaver.internal.Sites;
import dev.rebound.weaver.internal.WovenPolicies;
import org.aspectj.lang.JoinPoint;

/**
 * Applies {@code @Retry} / {@code @Fallback} / {@code @CircuitBreaker} / {@code @RateLimit} to the
 * classes that carry a policy, wherever the annotations sit: on the method, on the class, or on an
 * interface or superclass the class inherits from, whatever its visibility or shape (package-private,
 * nested, inner, local, anonymous), and to annotated default methods.
 *
 * <p>AspectJ's annotation patterns see only a method's own annotations, not those of the interface
 * method it implements. So the weave is decided per type: every type that declares a policy gets the
 * {@link DeclaresPolicy} marker, every class below one gets {@link Woven} (an enum, to which AspectJ
 * adds no interface, the {@code ResilientEnum} annotation), and only the public methods of those types
 * are advised ({@link #resilient}). An abstract class's own public methods are advised too, behind an
 * {@code instanceof Woven} test, since a subclass that carries a policy may run them as they
 * are, and so are an interface's default methods (in both, not those of the classes nested in them). Any other class without a policy is left exactly as the compiler made it; a policy class that
 * would run a public method inherited from such a class fails its initialisation, naming the fix.
 *
 * <p>The advices are {@link ResilientCalls}'. A {@link Woven} class's join points are
 * {@link ResilientClasses}' (a slot per join point, in the class itself); this singleton takes the
 * others (default methods of interfaces, abstract classes without a policy of their own, the methods
 * of enums), whose policies it finds in {@link Sites} (an identity hash, an array read, two
 * compares). Misconfigurations the build can see are compile errors (the weaver's annotation
 * processor, and the declare errors below); the rest fail the class's initialisation.
 */
public aspect ResilientMethods extends ResilientCalls {

    /** Every join point {@link ResilientClasses} does not hold. */
    protected pointcut scope(): !within(Woven+) || within(is(InterfaceType));

    protected ResilientMethod active(Object self, JoinPoint.StaticPart jp) {
        return Sites.active(self, jp);
    }

    /**
     * An interface that declares a policy on itself or on one of its methods, or inherits one from an
     * interface it extends (read from that interface, woven or not, as for classes below).
     */
    declare parents: is(InterfaceType) && (@dev.rebound.annotations.Retry * || @dev.rebound.annotations.Fallback *
            || @dev.rebound.annotations.CircuitBreaker * || @dev.rebound.annotations.RateLimit *
            || hasmethod(* (@dev.rebound.annotations.Retry *).*(..))
            || hasmethod(* (@dev.rebound.annotations.Fallback *).*(..))
            || hasmethod(* (@dev.rebound.annotations.CircuitBreaker *).*(..))
            || hasmethod(* (@dev.rebound.annotations.RateLimit *).*(..))
            || hasmethod(@dev.rebound.annotations.Retry * *(..))
            || hasmethod(@dev.rebound.annotations.Fallback * *(..))
            || hasmethod(@dev.rebound.annotations.CircuitBreaker * *(..))
            || hasmethod(@dev.rebound.annotations.RateLimit * *(..)))
        && !is(AnnotationType) && !dev.rebound.annotations..* && !dev.rebound.runtime..*
        && !dev.rebound.weaver..* && !org.aspectj..* && !DeclaresPolicy+
        implements DeclaresPolicy;

    /**
     * A class that carries a policy: declared on itself or one of its own methods, or inherited from an
     * interface or a superclass. Its public methods are advised.
     *
     * <p>A supertype's annotations are read from the supertype itself, not only through
     * {@link DeclaresPolicy} (which it carries only once it has been woven: an interface from a jar
     * built by plain javac never is, and under the agent a class may be woven before the interface it
     * implements is loaded). {@code hasmethod} sees inherited methods, so it finds an annotated method
     * of any supertype, and a method declared by an annotated type ({@code * (@Retry *).*(..)}): an
     * interface's type-level policy. A superclass's reaches {@code @Retry *} itself (the annotations
     * are {@code @Inherited}, which AspectJ follows up the superclasses).
     *
     * <p>Not an enum: AspectJ adds no interface to an enum (its {@code declare parents} skips them). An
     * enum is marked by the next declaration instead.
     *
     * <p>Never a JDK dynamic proxy, wherever the JDK defines it: one of a package-private interface lives in that
     * interface's package (or in the default package), where the load-time agent sees it. It hands each call to
     * its handler, which calls a target of its own ({@code Rebound.wrap}'s engine, a woven object, an AiServices
     * assistant): weaving it would apply the policy twice, or take the call from {@code Rebound.wrap}. Said here,
     * not only in aop.xml, so that it holds whatever aop.xml an application uses. Told by what
     * {@link java.lang.reflect.Proxy} specifies of its proxy classes: final, a subclass of {@code Proxy}, and a
     * name that begins with {@code $Proxy} ("reserved for proxy classes"), in any package or none. An application's
     * own subclass of {@code Proxy} is woven as any class; one that looks like the JDK's is not, and the
     * {@code declare warning} below names its annotated methods.
     */
    declare parents: !is(InterfaceType) && !is(AnnotationType) && !is(AspectType) && !is(EnumType)
        && (DeclaresPolicy+ || @dev.rebound.annotations.Retry * || @dev.rebound.annotations.Fallback *
            || @dev.rebound.annotations.CircuitBreaker * || @dev.rebound.annotations.RateLimit *
            || hasmethod(* (@dev.rebound.annotations.Retry *).*(..))
            || hasmethod(* (@dev.rebound.annotations.Fallback *).*(..))
            || hasmethod(* (@dev.rebound.annotations.CircuitBreaker *).*(..))
            || hasmethod(* (@dev.rebound.annotations.RateLimit *).*(..))
            || hasmethod(@dev.rebound.annotations.Retry * *(..))
            || hasmethod(@dev.rebound.annotations.Fallback * *(..))
            || hasmethod(@dev.rebound.annotations.CircuitBreaker * *(..))
            || hasmethod(@dev.rebound.annotations.RateLimit * *(..)))
        && !dev.rebound.annotations..* && !dev.rebound.runtime..* && !dev.rebound.weaver..* && !org.aspectj..*
        && !Woven+ && !dev.rebound.runtime.spi.GeneratedWrapper+
        && !(java.lang.reflect.Proxy+ && is(FinalType) && ($Proxy* || *..$Proxy*))
        implements Woven;

    /**
     * An enum that carries a policy, found as a class is above (the supertypes' annotations read from the
     * supertypes themselves, so whichever the JVM loads first), and each constant's class body: marked with
     * an annotation, since it can't get {@link Woven}. Its public methods are advised, with their policies
     * in {@link Sites}; it is checked as it initialises, and {@code Rebound.isResilient} reads the mark.
     */
    declare @type: is(EnumType)
        && (DeclaresPolicy+ || @dev.rebound.annotations.Retry * || @dev.rebound.annotations.Fallback *
            || @dev.rebound.annotations.CircuitBreaker * || @dev.rebound.annotations.RateLimit *
            || hasmethod(* (@dev.rebound.annotations.Retry *).*(..))
            || hasmethod(* (@dev.rebound.annotations.Fallback *).*(..))
            || hasmethod(* (@dev.rebound.annotations.CircuitBreaker *).*(..))
            || hasmethod(* (@dev.rebound.annotations.RateLimit *).*(..))
            || hasmethod(@dev.rebound.annotations.Retry * *(..))
            || hasmethod(@dev.rebound.annotations.Fallback * *(..))
            || hasmethod(@dev.rebound.annotations.CircuitBreaker * *(..))
            || hasmethod(@dev.rebound.annotations.RateLimit * *(..)))
        && !dev.rebound.annotations..* && !dev.rebound.runtime..* && !dev.rebound.weaver..* && !org.aspectj..*
        : @dev.rebound.runtime.spi.ResilientEnum;

    /**
     * Every public instance method of a type that carries a policy (default methods of annotated
     * interfaces and methods of marked enums included), every annotated public method (whatever type
     * pattern its class escapes), and, behind an {@code instanceof Woven} test, every public method of an abstract class and every
     * default method of an interface (a class with a policy inherits them), except equals, hashCode and
     * toString, and never a JDK proxy's (told as in the declare parents above). A default method of an interface compiled without the aspect (the
     * JDK's) is not woven.
     */
    public pointcut resilient(Object self): (execution(public !static * (Woven+ || DeclaresPolicy+
                    || @dev.rebound.runtime.spi.ResilientEnum *).*(..))
            || execution(@dev.rebound.annotations.Retry public !static * *(..))
            || execution(@dev.rebound.annotations.Fallback public !static * *(..))
            || execution(@dev.rebound.annotations.CircuitBreaker public !static * *(..))
            || execution(@dev.rebound.annotations.RateLimit public !static * *(..))
            || execution(public !static * *(..)) && abstractClassesOwnCode() && this(Woven)
            // a default method of an interface without policy, run by a class that has one
            || execution(public !static * *(..)) && interfacesOwnCode() && this(Woven))
        && this(self)
        && !execution(boolean equals(Object)) && !execution(int hashCode()) && !execution(String toString())
        && !within(dev.rebound.annotations..*) && !within(dev.rebound.runtime..*)
        && !within(dev.rebound.weaver..*) && !within(org.aspectj..*)
        // a Rebound.wrap class the processor generated applies its policies itself
        && !within(dev.rebound.runtime.spi.GeneratedWrapper+)
        // a JDK proxy's methods implement its interfaces' (DeclaresPolicy+ would reach them): its handler's target
        // has the policy (see the declare parents above)
        && !within(java.lang.reflect.Proxy+ && is(FinalType) && ($Proxy* || *..$Proxy*));

    /**
     * The code of an abstract class itself, not that of a concrete class nested in it (named, local,
     * anonymous, a record, an enum's constant body), which carries no policy for being there: woven, it would
     * get advice, a static initialiser and so a new computed {@code serialVersionUID}, and an
     * {@code instanceof Woven} test on every call (under the agent, in every class of its scope).
     * {@code within} alone matches the code of every type nested in the abstract class, at any depth. Static
     * patterns only, so the concrete nested class's code is told apart twice: no concrete nested class encloses the code, or none declares the method (an
     * execution join point's declaring types are the method's class and every supertype whose method it
     * overrides). Together they miss only an abstract class nested in a concrete nested class, and only its
     * methods that override a concrete nested class's: left unadvised, so a subclass with a policy that runs
     * one fails its initialisation ({@code WovenPolicies.validate}), never runs it without its policy.
     */
    pointcut abstractClassesOwnCode(): within(is(AbstractType) && !is(InterfaceType))
        && (!within(is(InnerType) && !is(AbstractType)) || !execution(* (is(InnerType) && !is(AbstractType)).*(..)));

    /**
     * The code of an interface itself (its default methods), not that of a class nested in it (named, local,
     * anonymous, a record, an enum), which carries no policy for being there (DTOs and default implementations
     * nested in an API interface are common): as {@link #abstractClassesOwnCode()}, told apart twice, since
     * {@code within} alone matches the code of every type nested in the interface. The second test keeps an
     * interface nested in a class nested in a class: its default methods override only interfaces' methods,
     * so no class nested in a class declares them, and this one misses no shape.
     */
    pointcut interfacesOwnCode(): within(is(InterfaceType))
        && (!within(is(InnerType) && !is(InterfaceType)) || !execution(* (is(InnerType) && !is(InterfaceType)).*(..)));

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

    /**
     * A synchronized method a policy reaches: ajc moves its body into {@code name_aroundBodyN} and runs the
     * advice, its retries and the waits between them inside the method, which still holds the object's
     * monitor, so every other synchronized caller of the object waits for the whole call (Guice's
     * interceptor and {@code Rebound.wrap} call the method once per attempt, and release it between them).
     * The monitor cannot be released from inside the method: said at build time. The policy is found as
     * the advice finds it, as far as a static pattern can: on the method itself, on its class (or a
     * superclass, {@code @Inherited}), on an interface that declares the method, or on one of that
     * interface's methods (an interface that declares a policy: its other methods are named too); never
     * Object's methods, which no door intercepts. A policy inherited from a superclass's method is out of
     * a static pattern's sight: the class's initialisation says that one ({@code WovenPolicies.validate}).
     */
    declare warning: execution(synchronized public !static * *(..))
        && !execution(boolean equals(Object)) && !execution(int hashCode()) && !execution(String toString())
        && (execution(@dev.rebound.annotations.Retry * *(..)) || execution(@dev.rebound.annotations.Fallback * *(..))
            || execution(@dev.rebound.annotations.CircuitBreaker * *(..))
            || execution(@dev.rebound.annotations.RateLimit * *(..))
            || execution(* (@dev.rebound.annotations.Retry *).*(..))
            || execution(* (@dev.rebound.annotations.Fallback *).*(..))
            || execution(* (@dev.rebound.annotations.CircuitBreaker *).*(..))
            || execution(* (@dev.rebound.annotations.RateLimit *).*(..))
            || execution(* (@dev.rebound.annotations.Retry * && is(InterfaceType)).*(..))
            || execution(* (@dev.rebound.annotations.Fallback * && is(InterfaceType)).*(..))
            || execution(* (@dev.rebound.annotations.CircuitBreaker * && is(InterfaceType)).*(..))
            || execution(* (@dev.rebound.annotations.RateLimit * && is(InterfaceType)).*(..))
            || execution(* (DeclaresPolicy+ && is(InterfaceType)).*(..)))
        && !within(dev.rebound.annotations..*) && !within(dev.rebound.runtime..*) && !within(dev.rebound.weaver..*)
        && !within(org.aspectj..*) && !within(dev.rebound.runtime.spi.GeneratedWrapper+)
        && !within(java.lang.reflect.Proxy+ && is(FinalType) && ($Proxy* || *..$Proxy*))
        : "Rebound: {joinpoint.signature} is synchronized: woven, it holds the object's monitor through every attempt"
          + " of its policy and every wait between them (up to maxDelay each), so the object's other synchronized"
          + " callers wait for the whole call. Synchronize inside the method's body or in its caller, or apply the"
          + " policy through Guice's ReboundModule or Rebound.wrap, which release the monitor between attempts";

    /**
     * A class of the application's that looks like a JDK dynamic proxy (final, extends {@code Proxy}, named
     * {@code $Proxy...}), which is never woven (see the declare parents above): its methods that carry a policy
     * themselves, or whose class does, named at build time rather than left unwoven in silence. Not those whose
     * policy comes only from an interface: the JDK's own proxies implement the annotated interfaces, and under
     * the agent every one of them would be named.
     */
    declare warning: execution(public !static * *(..))
        && within(java.lang.reflect.Proxy+ && is(FinalType) && ($Proxy* || *..$Proxy*))
        && !execution(boolean equals(Object)) && !execution(int hashCode()) && !execution(String toString())
        && (execution(@dev.rebound.annotations.Retry * *(..)) || execution(@dev.rebound.annotations.Fallback * *(..))
            || execution(@dev.rebound.annotations.CircuitBreaker * *(..))
            || execution(@dev.rebound.annotations.RateLimit * *(..))
            || within(@dev.rebound.annotations.Retry * || @dev.rebound.annotations.Fallback *
                || @dev.rebound.annotations.CircuitBreaker * || @dev.rebound.annotations.RateLimit *))
        : "Rebound: {joinpoint.signature} is not woven: its class is final, extends java.lang.reflect.Proxy and has a"
          + " name that begins with $Proxy, which the JDK reserves for its dynamic proxies, and Rebound never weaves"
          + " those (their handler's target applies the policy). Rename the class, or apply the policy through"
          + " Guice's ReboundModule or Rebound.wrap";

    /**
     * Resolves every policy of the class or enum as it initialises: a misconfiguration fails here, never on
     * a call.
     */
    @SuppressAjWarnings("adviceDidNotMatch")
    after() returning: staticinitialization((Woven+ || @dev.rebound.runtime.spi.ResilientEnum *)
            && !dev.rebound.weaver..*) {
        WovenPolicies.validate(thisJoinPointStaticPart.getSignature().getDeclaringType());
    }
}
