package dev.rebound.runtime.internal;

import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.spi.GeneratedSubclasses;
import dev.rebound.runtime.spi.GeneratedWrapper;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One entry of a fallback chain: where its instance comes from, the method to call, and its own
 * policies, which the engine applies when it reaches the alternative (its own door steps aside, see
 * {@link Passthrough}): its retry, around its circuit breaker, around its rate limit. An alternative
 * given to a builder that a door reaches, or whose class carries no policy ({@link #asIs}), has no policies
 * here and is called as it is: its own door, if it has one (woven, intercepted, a wrapper of any door),
 * applies its own policy, once ({@link AnnotationPolicies#given}).
 */
public final class Alternative implements Invoker {

    private final String name;
    /**
     * How the fleet names this alternative's breaker's target: its class's binary name, with its position
     * when a builder was given it beside another of its class ({@link #toldApart}).
     */
    private final String fleetName;
    /**
     * The class this alternative stands for, known without making its instance: the class {@code @Fallback.to}
     * names, or what an instance given to a builder stands for, as events name it
     * ({@link GeneratedSubclasses#namedAs(Class, Class)}: its user's class, or the interface a mock or a JDK proxy
     * of it stands for).
     */
    private final Class<?> type;
    private final Supplier<?> instance;
    private final MethodCaller method;
    /** The method called, as the interface declares it. */
    private final Method called;
    private final RetryPolicy retry;
    private final CircuitBreakerPolicy circuitBreaker;
    private final RateLimitPolicy rateLimit;
    private final String rateLimitKey;
    /** Whether the alternative is called as it is: never marked, never unwrapped (see {@link #asIs}). */
    private final boolean asIs;
    /**
     * The instance class last called, whether a door may apply a policy to this method on it (a Rebound
     * annotation that applies to the method there: what every door requires before it applies one), and the
     * method such a door intercepts there, which the engine's mark names ({@link MethodScan#intercepted}), and
     * whether a door may stand before that method's code on an instance of exactly that class ({@link
     * DoorReach#mayStandBefore}). Asked once per class; a pure function of the class, shared by every call.
     */
    private volatile Object[] door = {null, Boolean.TRUE, null, Boolean.TRUE};
    /**
     * The instance last called and the class behind it when it is a container's proxy that says so
     * ({@link ContainerProxies#targetClassOf}), else null: asked once per instance, since one JDK proxy
     * class serves many targets.
     */
    private volatile Object[] behind = {null, null};
    /** The generated wrapper last called and what to call instead: itself, or its target when flat. */
    private volatile Object[] flat = {null, null};
    /**
     * The instance last asked about by {@link #ownPolicy}, the policy it applies itself (a wrapper's, or the
     * one its door named when it took the engine's mark), and whether its door applies its own policy
     * (woven, intercepted, a container's proxy over either: {@link DoorReach#madeByDoor}) to this method.
     */
    private volatile Object[] own = {null, null, Boolean.FALSE};

    /**
     * An alternative called as it is ({@code Rebound.wrap(...).withFallbacks}): the engine applies no
     * policy of its own to it, so its call is not marked as a {@link Passthrough} and a container door's
     * flat wrapper is not unwrapped: whatever door the instance has applies its own policy, exactly once,
     * as when the instance is called directly.
     *
     * @param type the class or interface the instance stands for ({@link GeneratedSubclasses#namedAs(Class, Class)}
     *     of its user's class, {@link ContainerProxies#userClassOf})
     */
    public static Alternative asIs(String name, Class<?> type, Supplier<?> instance, Method method) {
        return new Alternative(name, name, type, instance, method, RetryPolicy.none(), null, null, null, true);
    }

    /**
     * An alternative with its own breaker and rate limit too.
     *
     * @param type the alternative's class (a user's, not a generated subclass), or the interface it stands for (a
     *     mock's): the fleet names its breaker by its binary name, and a fallback handler sees it ({@link #type()})
     * @param circuitBreaker its breaker's policy; null for none
     * @param rateLimit its rate limit; null for none
     * @param rateLimitKey the key of its rate limit (the policy's, else its default); null without one
     */
    public Alternative(String name, Class<?> type, Supplier<?> instance, Method method, RetryPolicy retry,
            CircuitBreakerPolicy circuitBreaker, RateLimitPolicy rateLimit, String rateLimitKey) {
        this(name, AnnotationLookup.qualifiedName(type), type, instance, method, retry, circuitBreaker, rateLimit,
                rateLimitKey, false);
    }

    private Alternative(String name, String fleetName, Class<?> type, Supplier<?> instance, Method method,
            RetryPolicy retry, CircuitBreakerPolicy circuitBreaker, RateLimitPolicy rateLimit, String rateLimitKey,
            boolean asIs) {
        this.name = name;
        this.fleetName = fleetName;
        this.type = Objects.requireNonNull(type, "type");
        this.instance = instance;
        this.method = new MethodCaller(method);
        this.called = method;
        this.retry = retry;
        this.circuitBreaker = circuitBreaker;
        this.rateLimit = rateLimit;
        this.rateLimitKey = rateLimitKey;
        this.asIs = asIs;
    }

    public String name() {
        return name;
    }

    /**
     * The alternatives given to a builder ({@code withFallbacks}), in order, told apart from each other and
     * from the primary: one whose name in events, or in the fleet ({@link #fleetName()}), is the primary's
     * ({@code primaryName}, {@code primaryFleetName}) or another of {@code given}'s gets its position in the
     * list, from 1, after it ({@code Backend#2}, {@code com.acme.Backend#2}); the others keep their names. So
     * two instances of one class (two backends of one client class) have a breaker each in the fleet, as they
     * have in-process, and are told apart in logs and metrics, on every instance alike. Asked once per method,
     * when the wrapper is built.
     */
    public static List<Alternative> toldApart(List<Alternative> given, String primaryName, String primaryFleetName) {
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> fleetNames = new HashMap<>();
        names.put(primaryName, 1);
        fleetNames.put(primaryFleetName, 1);
        for (Alternative a : given) {
            names.merge(a.name, 1, Integer::sum);
            fleetNames.merge(a.fleetName, 1, Integer::sum);
        }
        List<Alternative> apart = new ArrayList<>(given.size());
        for (int i = 0; i < given.size(); i++) {
            Alternative a = given.get(i);
            String position = "#" + (i + 1);
            String name = names.get(a.name) > 1 ? a.name + position : a.name;
            String fleetName = fleetNames.get(a.fleetName) > 1 ? a.fleetName + position : a.fleetName;
            apart.add(name.equals(a.name) && fleetName.equals(a.fleetName) ? a
                    : new Alternative(name, fleetName, a.type, a.instance, a.called, a.retry, a.circuitBreaker, a.rateLimit,
                            a.rateLimitKey, a.asIs));
        }
        return apart;
    }

    /**
     * The policy {@code instance} applies itself to the method called, when this alternative is called as it
     * is ({@link #asIs}): a {@code Rebound.wrap} wrapper's (or that of the wrapper a container's proxy holds),
     * or the policy the door of a woven or intercepted instance (or of the one behind a container's proxy)
     * named when it took the engine's mark here ({@link Passthrough#claim(Object, Method, ResilientMethod)}). The
     * requests it sends are its own to report, in its own events. Null otherwise (and for a null instance).
     * The last instance asked about and its answer are kept: an alternative is usually one instance.
     */
    public ResilientMethod ownPolicy(Object instance) {
        if (!asIs || instance == null) {
            return null;
        }
        return (ResilientMethod) own(instance)[1];
    }

    /** {@link #own} for {@code instance}, worked out once per instance. */
    private Object[] own(Object instance) {
        Object[] o = own;
        if (o[0] != instance) {
            Object wrapper = ResilientProxy.isWrapper(instance) ? instance : ContainerProxies.staticTargetOf(instance);
            if (wrapper != null && ResilientProxy.isWrapper(wrapper)) {
                o = new Object[] {instance, ResilientProxy.policyOf(wrapper, called), Boolean.FALSE};
            } else {
                Object[] b = behind(instance);
                Class<?> type = b[1] != null ? (Class<?>) b[1] : instance.getClass();
                o = new Object[] {instance, null, DoorReach.madeByDoor(instance) && mayHaveDoor(type)};
            }
            own = o;
        }
        return o;
    }

    /**
     * How the fleet names this target ({@code com.acme.LocalModel}; {@code com.acme.Backend#2}, {@link
     * #toldApart}), in its breaker's shared name.
     */
    public String fleetName() {
        return fleetName;
    }

    public RetryPolicy retry() {
        return retry;
    }

    /** Its own circuit breaker's policy; null for none. */
    public CircuitBreakerPolicy circuitBreaker() {
        return circuitBreaker;
    }

    /** Its own rate limit; null for none. */
    public RateLimitPolicy rateLimit() {
        return rateLimit;
    }

    /** The key of {@link #rateLimit()}; null without one. */
    public String rateLimitKey() {
        return rateLimitKey;
    }

    public Object instance() {
        return instance.get();
    }

    /**
     * The class this alternative stands for, known without making its instance (so without asking a provider
     * that may fail): the class {@code @Fallback.to} names, or the user's class of an instance given to a
     * builder (the class above a container's generated subclass or behind its proxy); never null.
     */
    public Class<?> type() {
        return type;
    }

    /**
     * Calls the method on {@code target} (the alternative's instance). When a door may apply a
     * policy to this call, it is marked as a {@link Passthrough}: the alternative's own door, which
     * sees the call first, takes the mark and does not apply its policy again; behind a container's
     * proxy (a Spring bean some aspect of the application proxies), the door of the proxy's target,
     * an instance of the class behind it, takes it. The mark names the method called, as the doors there
     * intercept it ({@link #intercepted}): a method with a policy of its own that something in front of the
     * door calls on the instance first (an application's interceptor on {@code getThis()}, a proxy's advice on
     * its target) leaves the mark in place and keeps its policy. A call no door applies a policy to is called
     * as it is, without the mark (shared counters written four times, two per-thread look-ups): no door
     * would take it; so is a call on an instance of a class no door stands before ({@link DoorReach#mayStandBefore}:
     * javac's alone, running no woven body), whatever annotations it carries. An alternative {@link #asIs} is always
     * called as it is.
     */
    @Override
    public Object invoke(Object target, Object[] args) throws Throwable {
        if (asIs) {
            return asIs(target, args);
        }
        if (target instanceof GeneratedWrapper) {
            target = unlessFlat((GeneratedWrapper) target);
        }
        if (target == null) {
            return method.call(null, args);
        }
        Class<?> proxied = (Class<?>) behind(target)[1];
        Object[] d = door(proxied != null ? proxied : target.getClass());
        if (!(Boolean) d[1] || proxied == null && !(Boolean) d[3]) {
            return method.call(target, args);
        }
        Object outer = Passthrough.enter(target, proxied == null ? null : behindNow(target, proxied), (Method) d[2]);
        try {
            return method.call(target, args);
        } finally {
            Passthrough.exit(outer);
        }
    }

    /**
     * Calls {@code target} as it is. An instance that applies a policy of its own to the method is the
     * enclosing call's: its policy's call is marked as part of it ({@link NestedCalls}), that of a wrapper at
     * once (its policy is its own: no other instance applies it), that of a woven or intercepted instance (or
     * one behind a container's proxy) when its door takes the engine's mark ({@link Passthrough#enterNested})
     * and names it, on every call: that policy is its class's, which another instance of the class (one a
     * container's proxy calls first) applies too, and only this instance's door may claim the call. The
     * policy named is kept for the instance's events ({@link #ownPolicy}).
     */
    private Object asIs(Object target, Object[] args) throws Throwable {
        Object[] o = target == null ? null : own(target);
        if (o == null || o[1] == null && !(Boolean) o[2]) {
            return method.call(target, args);
        }
        if (!(Boolean) o[2]) {
            Object outer = NestedCalls.enter(o[1]); // the alternative's call is part of this one: it reports no call
            try {
                return method.call(target, args);
            } finally {
                NestedCalls.exit(outer);
            }
        }
        Object outer = NestedCalls.enter(null); // its door names its policy as it takes the mark
        Class<?> proxied = (Class<?>) behind(target)[1];
        Object mark = Passthrough.enterNested(target, proxied == null ? null : behindNow(target, proxied),
                intercepted(proxied != null ? proxied : target.getClass())); // that method's door alone takes it
        try {
            return method.call(target, args);
        } finally {
            Passthrough.exit(mark);
            Object named = NestedCalls.exit(outer);
            if (named != null && named != o[1] && own == o) {
                own = new Object[] {target, named, Boolean.TRUE};
            }
        }
    }

    /**
     * A container door's flat wrapper ({@code ReboundModule.wrapping}) is called through its target, as
     * its flat proxy lets such a call through: the engine applies the alternative's retry itself. Any
     * other generated wrapper ({@code Rebound.wrap}) keeps its own policy. The last wrapper asked about
     * and its answer are kept: an alternative is usually one instance.
     */
    private Object unlessFlat(GeneratedWrapper wrapper) {
        Object[] f = flat;
        if (f[0] != wrapper) {
            Object target = GeneratedWrappers.flatTarget(wrapper);
            f = new Object[] {wrapper, target == null ? wrapper : target};
            flat = f;
        }
        return f[1];
    }

    /**
     * {@code {target, the class behind it}} when {@code target} is a container's proxy that says its class,
     * else {@code {target, null}}: asked once per instance (a proxy's class does not change).
     */
    private Object[] behind(Object target) {
        Object[] b = behind;
        if (b[0] != target) {
            Class<?> type = target.getClass();
            // only a JDK proxy or a generated subclass may be a container's proxy: the rest is not asked
            b = new Object[] {target, Proxy.isProxyClass(type) || type.getName().contains("$$")
                    ? ContainerProxies.targetClassOf(target) : null};
            behind = b;
        }
        return b;
    }

    /**
     * What the engine's mark names behind the container's proxy {@code target}: its fixed target, read
     * now (a proxy's target may be swapped, and a swapped one would not claim a mark read before), else
     * the class behind it.
     */
    private static Object behindNow(Object target, Class<?> proxied) {
        Object fixed = ContainerProxies.staticTargetOf(target);
        return fixed != null ? fixed : proxied;
    }

    private boolean mayHaveDoor(Class<?> type) {
        return (Boolean) door(type)[1];
    }

    /**
     * The method a door intercepts when the engine calls this one on an instance of {@code type} (a container's
     * subclass, its user's class; a class behind a proxy): the only one whose door takes the engine's mark, so
     * that what stands in front of the door and first calls another method on the instance leaves it in place.
     * The method called itself on a JDK proxy, whose handler is called with it.
     */
    private Method intercepted(Class<?> type) {
        return (Method) door(type)[2];
    }

    /** {@link #door} for {@code type}, worked out once per class. */
    private Object[] door(Class<?> type) {
        Object[] d = door;
        if (d[0] != type) {
            boolean annotated = MethodScan.annotated(type) && !AnnotationPolicies.annotationsOf(type, called).isEmpty();
            d = new Object[] {type, annotated, !annotated ? null : Proxy.isProxyClass(type) ? called
                    : MethodScan.intercepted(GeneratedSubclasses.userClass(type), called),
                annotated && DoorReach.mayStandBefore(type, called)};
            door = d;
        }
        return d;
    }
}
