package dev.rebound.runtime.spi;

import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.AiServicesProxies;
import dev.rebound.runtime.internal.AnnotationLookup;
import dev.rebound.runtime.internal.AnnotationPolicies;
import dev.rebound.runtime.internal.BindingQualifiers;
import dev.rebound.runtime.internal.ContainerProxies;
import dev.rebound.runtime.internal.Definitions;
import dev.rebound.runtime.internal.DoorReach;
import dev.rebound.runtime.internal.GeneratedWrappers;
import dev.rebound.runtime.internal.MethodChecks;
import dev.rebound.runtime.internal.MethodScan;
import dev.rebound.runtime.internal.ResilientProxy;
import dev.rebound.runtime.internal.SelfRetryCheck;
import dev.rebound.runtime.internal.UnnamedFleetBreakers;
import dev.rebound.runtime.internal.WovenDefaults;
import dev.rebound.runtime.internal.chain.Chains;
import dev.rebound.runtime.internal.chain.MethodSpec;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Resolves annotations into {@link ResilientMethod}s, and what else a door needs to attach them:
 * the one entry every door uses. Doors adapt call shapes; every rule and decision is here.
 */
public final class Policies {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.rebound");

    private Policies() {
    }

    /**
     * Logs a door's warning on {@code dev.rebound} at WARN: a policy it applies only in part, said once,
     * when it resolves the class concerned.
     */
    public static void warn(String message) {
        LOG.warn(message);
    }

    /**
     * Logs a door's note on {@code dev.rebound} at DEBUG: a way it runs calls that changes only how fast they run
     * (a faster way it cannot take), said once, when it finds out.
     */
    public static void debug(String message) {
        LOG.debug(message);
    }

    /**
     * The policy of {@code method} on instances of {@code implClass}, or null when no annotation
     * applies. Alternatives come from {@code alternatives}, asked once per class at resolution.
     *
     * @param settings fixed settings, or null to read {@link ReboundSettings#global()} live
     * @throws ReboundConfigurationException naming the method and attribute of every problem
     */
    public static ResilientMethod resolve(Class<?> implClass, Method method, ReboundSettings settings,
            Function<Class<?>, Supplier<?>> alternatives) {
        MethodSpec spec = AnnotationPolicies.resolve(implClass, method, settings, alternatives);
        return spec == null ? null : Chains.executorOf(spec);
    }

    /**
     * As {@link #resolve(Class, Method, ReboundSettings, Function)}, with alternatives made once by
     * the {@link AlternativeResolver} of the global settings (by default, public no-arg constructors).
     */
    public static ResilientMethod resolve(Class<?> implClass, Method method) {
        return resolve(implClass, method, null, Policies::globalAlternative);
    }

    /**
     * The global settings' {@link AlternativeResolver}'s instance of {@code type}, made now, as the
     * supplier a policy on the global settings holds: noted, so that {@link ReboundSettings#setGlobal} can
     * say when a new resolver comes after it while the policy is in use.
     */
    public static Supplier<Object> globalAlternative(Class<?> type) {
        return dev.rebound.runtime.internal.GlobalAlternatives.supplier(type);
    }

    /**
     * The policies of every interceptable method of {@code methodsOf} (the class itself, or the
     * interface a binding provides) on instances of {@code implClass}: the methods without one are
     * absent. Events name the instances as {@code Rebound.wrap} does, the same for every door: by the class or
     * interface {@code implClass} stands for ({@link GeneratedSubclasses#namedAs(Class, Class)}), and the fleet by
     * the same class or interface's binary name. The rate-limit keys and retry budgets the methods define are
     * registered only when no method has a problem.
     *
     * @throws ReboundConfigurationException listing every problem of every method
     */
    public static Map<Method, ResilientMethod> resolveAll(Class<?> implClass, Class<?> methodsOf,
            ReboundSettings settings, Function<Class<?>, Supplier<?>> alternatives) {
        // named as Rebound.wrap and the woven advice name it: Sub$$Backend, a bare $$ without an annotation of
        // its own, by the class above it; a mock of the interface a binding provides by that interface
        return resolveAll(implClass, methodsOf, AnnotationLookup.targetName(implClass, methodsOf),
                AnnotationLookup.qualifiedName(implClass, methodsOf), settings, alternatives, null);
    }

    /**
     * As {@link #resolveAll(Class, Class, ReboundSettings, Function)}, for the instances of {@code implClass} a
     * door provides as the interface {@code type} under a binding that {@code qualifier} qualifies (Guice's
     * {@code ReboundModule.wrapping}: the binding's annotation, {@code @Named("openai")} or any binding
     * annotation, or its annotation type for a binding by type; null for none). Events, logs and metrics name them
     * {@link #bindingName}; the fleet shares each breaker's open state under the class or interface they stand for
     * and the qualifier ({@code com.acme.Chat.chat(java.lang.String)/com.acme.Chat@com.google.inject.name.Named(openai)}:
     * {@link BindingQualifiers}), the same on every instance, so two bindings of one interface (two providers'
     * clients generated at run time, two JDK proxies, two instances of one class) keep a breaker each in the fleet,
     * as they do in the process. Without a qualifier their breakers are named as an unnamed {@code Rebound.wrap}
     * wrapper's are: while another such wrapper or binding whose breaker the fleet names alike is in use, on a
     * store that shares breakers, a WARN says so once, as {@code door}, in {@code Rebound.wrap}'s words and with
     * this door's remedy ({@link dev.rebound.runtime.rules.BreakerRules#sharedInTheFleet(String, String, boolean)}).
     *
     * @param door how the warning names the door, e.g. {@code ReboundModule(Chat)}
     * @throws ReboundConfigurationException listing every problem of every method
     */
    public static Map<Method, ResilientMethod> resolveBinding(Class<?> implClass, Class<?> type, Object qualifier,
            String door, ReboundSettings settings, Function<Class<?>, Supplier<?>> alternatives) {
        String fleetTarget = AnnotationLookup.qualifiedName(implClass, type)
                + (qualifier == null ? "" : BindingQualifiers.qualified(qualifier));
        List<Map.Entry<MethodSpec, ResilientMethod>> breakers = new ArrayList<>();
        Map<Method, ResilientMethod> out = resolveAll(implClass, type, bindingName(implClass, type, qualifier),
                fleetTarget, settings, alternatives, breakers);
        if (qualifier == null) {
            breakers.forEach(b -> sharedUnnamed(door, settings, b.getKey(), b.getValue(),
                    UnnamedFleetBreakers.Door.BINDING));
        }
        return out;
    }

    /**
     * The policies a door resolved ({@link #resolveAll(Class, Class, ReboundSettings, Function)}) for the class
     * it intercepts (Guice's {@code ReboundModule}), once it knows that no binding qualifier names them: their
     * breakers are named in the fleet by the class alone, so while another such breaker the fleet names alike is in
     * use (the same class intercepted by another injector, or an unnamed {@code Rebound.wrap} wrapper of it), on a
     * store that shares breakers, a WARN says so once, as {@code door}, with this door's remedy too
     * ({@link dev.rebound.runtime.rules.BreakerRules#sharedInTheFleet(String, String, boolean, boolean)}).
     *
     * @param door how the warning names the door, e.g. {@code ReboundModule(HttpChat)}
     * @param settings the settings the policies run on, or null for the global ones, read live
     */
    public static void interceptedWithoutQualifier(String door, ReboundSettings settings,
            Iterable<ResilientMethod> policies) {
        for (ResilientMethod p : policies) {
            MethodSpec spec = Chains.specOf(p);
            if (spec != null && spec.circuitBreaker() != null) {
                sharedUnnamed(door, settings, spec, p, UnnamedFleetBreakers.Door.INTERCEPTED);
            }
        }
    }

    private static void sharedUnnamed(String door, ReboundSettings settings, MethodSpec spec, ResilientMethod executor,
            UnnamedFleetBreakers.Door kind) {
        UnnamedFleetBreakers.built(door, settings != null ? settings.rateLimitStore() : null, spec.fleetMethod(),
                spec.fleetTarget(), executor, kind);
    }

    /**
     * How events, logs and metrics name the instances of {@code implClass} a door provides as {@code type} under a
     * binding that {@code qualifier} qualifies ({@link #resolveBinding}): as {@code Rebound.wrap} names them
     * ({@code Chat}, {@code HttpChat}), followed by the qualifier ({@code Chat@Named(openai)}, {@code
     * Chat@OpenAi}), so that two bindings of one interface are told apart.
     */
    public static String bindingName(Class<?> implClass, Class<?> type, Object qualifier) {
        String name = AnnotationLookup.targetName(implClass, type);
        return qualifier == null ? name : name + BindingQualifiers.simple(qualifier);
    }

    /**
     * The policies of {@code methodsOf}'s methods on {@code implClass}, named {@code name} in events and
     * {@code fleetTarget} in the fleet; each method's spec that has a circuit breaker added to {@code breakers}
     * (null: not collected).
     */
    private static Map<Method, ResilientMethod> resolveAll(Class<?> implClass, Class<?> methodsOf, String name,
            String fleetTarget, ReboundSettings settings, Function<Class<?>, Supplier<?>> alternatives,
            List<Map.Entry<MethodSpec, ResilientMethod>> breakers) {
        List<String> problems = new ArrayList<>();
        Definitions defined = new Definitions(implClass, methodsOf); // registered only when no method has a problem
        Map<Method, ResilientMethod> out = MethodScan.resolveEach(methodsOf, problems, m -> {
            MethodSpec spec = AnnotationPolicies.resolve(implClass, name, fleetTarget, m, settings, alternatives,
                    defined);
            ResilientMethod executor = spec == null ? null : Chains.executorOf(spec);
            if (breakers != null && spec != null && spec.circuitBreaker() != null) {
                breakers.add(Map.entry(spec, executor));
            }
            return executor;
        });
        if (!problems.isEmpty()) {
            throw new ReboundConfigurationException(problems);
        }
        defined.register();
        return out;
    }

    /** As {@link #resolveAll(Class, Class, ReboundSettings, Function)} with the global alternatives. */
    public static Map<Method, ResilientMethod> resolveAll(Class<?> type) {
        return resolveAll(type, type, null, Policies::globalAlternative);
    }

    /**
     * The policies written on methods of {@code implClass} (or a superclass) that a door which resolves
     * public methods only would drop: each one on a static or non-public method is a problem added to
     * {@code problems}, in the words {@code Rebound.wrap} refuses it ({@code Impl.helper(String): @Retry,
     * @Fallback, @CircuitBreaker and @RateLimit apply to public methods only}, or {@code instance methods
     * only}). Returned: the public methods carrying one that implement no method of an interface of
     * {@code implClass}, as {@code "Impl.helper(String) (@Retry)"}, which a door that intercepts the class
     * applies and a wrapper of an interface does not. The problems of {@link #neverIntercepted} are added too.
     */
    public static List<String> unreached(Class<?> implClass, List<String> problems) {
        return MethodChecks.checkUnreached(implClass, problems);
    }

    /**
     * The method-level policies of {@code type} that no door applies, whatever the build, each a problem
     * added to {@code problems} in the words every door and the annotation processor use: on
     * {@code equals}, {@code hashCode} or {@code toString}, declared by the class, a superclass or an
     * interface ({@code Chat.toString(): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to
     * equals, hashCode and toString: no door intercepts Object's methods}); on a private or static method
     * of one of its interfaces ({@code public methods only}, {@code instance methods only}). A door that
     * calls {@link #unreached} has these already.
     */
    public static void neverIntercepted(Class<?> type, List<String> problems) {
        MethodChecks.checkNeverIntercepted(type, problems);
    }

    /** Public instance methods a door may intercept: not Object's, static, bridge or synthetic. */
    public static boolean interceptable(Method m) {
        return MethodScan.interceptable(m);
    }

    /** Whether {@code e} itself (a type or a method; null for none) carries a policy annotation. */
    public static boolean carriesPolicy(AnnotatedElement e) {
        return MethodScan.carriesPolicy(e);
    }

    /** Whether any Rebound annotation appears on {@code type}, its supertypes or their methods. */
    public static boolean annotated(Class<?> type) {
        return MethodScan.annotated(type);
    }

    /**
     * Why no wrapper can implement {@code type}, or null when one can: a sealed interface permits only
     * the classes it names. The doors that wrap an interface ({@code Rebound.wrap}, Guice's
     * {@code ReboundModule.wrapping}) refuse it in these words, after their own name
     * ({@link dev.rebound.runtime.rules.MethodRules#sealedInterface}, the processor's words too).
     */
    public static String unwrappable(Class<?> type) {
        return type.isSealed() ? dev.rebound.runtime.rules.MethodRules.sealedInterface(type.getName()) : null;
    }

    /** Whether {@code type} belongs to Rebound itself (never given a policy). */
    public static boolean isRebound(Class<?> type) {
        return MethodScan.isRebound(type);
    }

    /**
     * A proxy of {@code type} over {@code target} that applies {@code policies} and passes every
     * other method through; a call the engine makes on it as an alternative ({@link Passthrough})
     * goes straight to the target. Warns (once per class) when the target retries by itself, and (once per
     * proxy) when it is an AiServices assistant whose every attempt would repeat its memory, tools or retrieval.
     *
     * @param door how the warning names the door, e.g. {@code ReboundModule(ChatClient)}
     */
    public static <T> T proxy(Class<T> type, T target, Map<Method, ResilientMethod> policies, String door) {
        return proxy(type, target, ResilientProxy.nameOf(target, type), policies, door);
    }

    private static <T> T proxy(Class<T> type, T target, String name, Map<Method, ResilientMethod> policies,
            String door) {
        if (!policies.isEmpty()) {
            SelfRetryCheck.warnIfSelfRetrying(target, door);
            AiServicesProxies.warnIfRepeated(target, door, policies);
        }
        return ResilientProxy.create(type, target, name, policies, true);
    }

    /**
     * As {@link #proxy}, through {@code type}'s generated class ({@code Type$$Rebound}, made by the weaver's
     * annotation processor, as {@code Rebound.wrap} uses it) when there is one, else the same proxy. Flat as
     * the proxy is: a call the engine makes on it as an alternative goes straight to the target.
     */
    public static <T> T wrapper(Class<T> type, T target, Map<Method, ResilientMethod> policies, String door) {
        return wrapper(type, target, ResilientProxy.nameOf(target, type), policies, door);
    }

    /**
     * As {@link #wrapper(Class, Object, Map, String)}, the wrapper named {@code name} (as another's alternative,
     * in logs): the name its policies' events give it ({@link #bindingName}).
     */
    public static <T> T wrapper(Class<T> type, T target, String name, Map<Method, ResilientMethod> policies,
            String door) {
        T generated = GeneratedWrappers.createFlat(type, target, name, policies);
        if (generated == null) {
            return proxy(type, target, name, policies, door);
        }
        if (!policies.isEmpty()) {
            SelfRetryCheck.warnIfSelfRetrying(target, door);
            AiServicesProxies.warnIfRepeated(target, door, policies);
        }
        return generated;
    }

    /**
     * Warns (once per class, in the words the target gets) when {@code alternative}, an instance a door
     * resolved for a {@code @Fallback.to}, retries by itself: a langchain4j model, or an AiServices proxy
     * whose chat model does, with {@code maxRetries} above 0, sends that many more requests per attempt.
     * Call it when the instance is first resolved, not on every fallback.
     *
     * @param where how the warning names the door and the alternative, {@code ReboundModule(Chat) @Fallback.to Backup}
     */
    public static void checkAlternative(Object alternative, String where) {
        SelfRetryCheck.warnIfSelfRetrying(alternative, where);
    }

    /**
     * What {@code Rebound.wrap} says when it finds no policy for {@code type} on {@code target} because
     * {@code target} is a JDK proxy that hides the class behind it ({@code the target is a JDK proxy (...) that
     * does not say what class is behind it, and Chat carries no policy: ...}), for a door that wraps the
     * instances a binding provides to say it in the same words after its own name; null for any other target,
     * and for an AiServices assistant, a JDK proxy with no class of the user's behind it (a door provides one
     * without policies in silence).
     */
    public static String classBehindUnseen(Class<?> type, Object target) {
        return AiServicesProxies.isAiServicesProxy(target) ? null : ContainerProxies.classBehindUnseen(type, target);
    }

    /**
     * The class whose annotations a door applies to {@code instance}, as {@code Rebound.wrap} reads them: the
     * user's class behind a container's proxy that says it (a Spring JDK proxy over a bean), else the instance's
     * own class. Ask it of each instance (one JDK proxy class serves the proxies of many classes) and key what is
     * resolved by the answer; a lookup per class for any other instance, no allocation.
     */
    public static Class<?> implClassOf(Object instance) {
        return ContainerProxies.implClassOf(instance);
    }

    /**
     * Whether a door already applies the policies of {@code object}'s calls, so a door that wraps it must
     * provide it as it is ({@code Rebound.wrap} without builder policies returns it): a wrapper, an instance of
     * a woven or intercepted class, or a container's proxy that says the class behind it and whose calls reach
     * such an object (a Spring JDK proxy of a woven bean, whichever interfaces it was built with). The one rule
     * of {@code Rebound.wrap} and of Guice's {@code ReboundModule.wrapping}; asked per instance, never per call.
     */
    public static boolean madeByDoor(Object object) {
        return DoorReach.madeByDoor(object);
    }

    /**
     * Whether the instances of {@code type} are a container's client proxies, which hand each call to an instance
     * they say (Quarkus ArC's, {@code io.quarkus.arc.ClientProxy}: its contextual instance). Under the load-time
     * agent such a proxy of a bean whose type is an interface carrying a policy ({@code Chat_ClientProxy}, over
     * {@code Object}) is woven as the application's classes are: the woven door of each of its own methods with a
     * policy asks {@link #appliedBehind} until it answers. Looked up once per class.
     */
    public static boolean isClientProxy(Class<?> type) {
        return ContainerProxies.isClientProxy(type);
    }

    /**
     * Whether {@code proxy}, a {@linkplain #isClientProxy client proxy}, hands its calls of {@code method} (one its
     * class declares, which hands the call on) to an instance that applies that method's policy itself: one whose own
     * door applies its policies ({@link #madeByDoor}: a woven bean, an intercepted one, a {@code Rebound.wrap}
     * wrapper a producer returned), or one whose class keeps {@code method} as an interface's default method that ajc
     * wove (a lambda a producer returned), whose advice applies it there. A door on the proxy's method then steps
     * aside, and the policy applies once, behind it. False when the instance applies none (an AiServices assistant, a
     * lambda's own method: the proxy's door applies the interface's policy). Null while no call could reach the
     * instance (the bean's context not active: the proxy's own call fails alike), which decides nothing. The instance
     * is asked once per proxy class, by the first call that reaches it (a bean's instances are of one class); the
     * method's part reads that class reflectively: ask until it answers, then keep the answer.
     */
    public static Boolean appliedBehind(Object proxy, Method method) {
        return ContainerProxies.appliedBehind(proxy, method);
    }

    /** Whether {@code object} is a proxy made by {@link #proxy} or {@code Rebound.wrap}. */
    public static boolean isProxy(Object object) {
        return ResilientProxy.isWrapper(object);
    }

    /**
     * The policy annotations that apply to {@code method} on instances of {@code implClass}, wherever they
     * sit (method, class, an interface, inherited), as {@code "@Retry"}; empty when none applies.
     */
    public static List<String> annotationsOf(Class<?> implClass, Method method) {
        return AnnotationPolicies.annotationsOf(implClass, method);
    }

    /**
     * Whether ajc wove an around advice into the body of {@code method}, read from its loaded class: its
     * body moved to a static {@code name_aroundBodyN}; with {@code advice} (an aspect's binary name), an
     * advice ajc inlined there must be that aspect's. Null {@code advice}: the moved body alone counts.
     */
    public static boolean wovenBody(Method method, String advice) {
        return WovenDefaults.wovenBody(method, advice);
    }

    /** A class's simple name, for an anonymous class {@code Shapes$1}: how logs and errors name a class. */
    public static String simpleName(Class<?> c) {
        return AnnotationLookup.simpleName(c);
    }

    /** {@code ChatClient.chat(String)}: how logs and errors name a method. */
    public static String describe(Class<?> owner, Method method) {
        return AnnotationLookup.describe(owner, method);
    }
}
