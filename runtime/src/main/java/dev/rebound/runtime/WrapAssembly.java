package dev.rebound.runtime;

import dev.rebound.annotations.NonIdempotent;
import dev.rebound.runtime.internal.AiServicesProxies;
import dev.rebound.runtime.internal.AlreadyResilient;
import dev.rebound.runtime.internal.Alternative;
import dev.rebound.runtime.internal.AnnotationLookup;
import dev.rebound.runtime.internal.AnnotationPolicies;
import dev.rebound.runtime.internal.ContainerProxies;
import dev.rebound.runtime.internal.Definitions;
import dev.rebound.runtime.internal.DoorReach;
import dev.rebound.runtime.internal.FallbackRule;
import dev.rebound.runtime.internal.GeneratedWrappers;
import dev.rebound.runtime.internal.MethodChecks;
import dev.rebound.runtime.internal.MethodScan;
import dev.rebound.runtime.internal.ProblemNames;
import dev.rebound.runtime.internal.RateLimits;
import dev.rebound.runtime.internal.Repetition;
import dev.rebound.runtime.internal.ResilientProxy;
import dev.rebound.runtime.internal.ResultAndHandlerRules;
import dev.rebound.runtime.internal.SelfRetryCheck;
import dev.rebound.runtime.internal.UnnamedFleetBreakers;
import dev.rebound.runtime.internal.chain.CallShape;
import dev.rebound.runtime.internal.chain.Chains;
import dev.rebound.runtime.internal.chain.MethodSpec;
import dev.rebound.runtime.rules.BreakerRules;
import dev.rebound.runtime.rules.FallbackRules;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link Rebound.Builder#build()} does with what the builder was given: one {@link MethodSpec}
 * per method of {@code type} (from the builder's policies, or else from the annotations), every
 * problem of every method at once, then the wrapper: an instance of the class the weaver's annotation
 * processor generated for {@code type} when there is one that fits, else a JDK proxy.
 *
 * @param name how events name the target; null for its simple class name
 * @param settings null for the global settings, read live
 * @param fallbacks null when none were given
 * @param jdkProxy whether to use a JDK proxy even when a generated class fits
 */
record WrapAssembly<T>(Class<T> type, T target, String name, ReboundSettings settings, RetryPolicy retry,
        CircuitBreakerPolicy breaker, RateLimitPolicy rateLimit, List<T> fallbacks, FallbackRule fallbackRule,
        List<Predicate<Object>> fallbackOnResult, FallbackHandler fallbackHandler, boolean jdkProxy) {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");

    /** As {@link Rebound.Builder#build()}. */
    T build() {
        boolean programmatic = retry != null || fallbacks != null || breaker != null || rateLimit != null
                || fallbackHandler != null || !fallbackOnResult.isEmpty();
        String where = "Rebound.wrap(" + type.getSimpleName() + ")";
        List<String> problems = new ArrayList<>();
        if (fallbackRule != FallbackRule.ANY_EXCEPTION && (fallbacks == null || fallbacks.isEmpty())
                && fallbackHandler == null) {
            problems.add(Rules.at(where, FallbackRules.nothingToFallBackTo("fallbackOn", "withFallbacks",
                    "withFallbackHandler")));
        }
        if (!programmatic && problems.isEmpty() && DoorReach.madeByDoor(target)) {
            // the same annotations would apply a second time: every attempt would be multiplied (a wrapper
            // that applies none was built from the same annotations: none would apply here either)
            AlreadyResilient.logOnce(type, target, settings != null, name != null);
            return target;
        }
        String closed = closedPackage(type, where);
        if (closed != null) {
            throw new ReboundConfigurationException(List.of(closed)); // before any reflective access fails
        }
        Class<?> impl = implClass();
        // registered only when the build has no problem; held with the caller's loader too: an application
        // wrapping the shared lib's classes (langchain4j's ChatModel beside Rebound) frees its names when it goes
        Definitions defined = new Definitions(type, impl, callerOutsideRebound());
        if (retry != null) { // without settings: the global ones, read live, wherever setGlobal takes them
            MethodChecks.checkBudget(settings, retry, type.getName(), where, "budget", defined, problems);
        }
        if (rateLimit != null) {
            RateLimits.check(settings, rateLimit, where, type.getName(), "withRateLimit", defined, problems);
        }
        // with builder policies the annotations are replaced anyway: what no door could apply is said, not refused
        List<String> refused = programmatic ? new ArrayList<>() : problems;
        List<String> helpers = MethodChecks.checkUnreached(impl, refused);
        if (programmatic && !refused.isEmpty()) {
            LOG.warn("{} with builder policies: not applied, and no door would apply them: {}", where,
                    String.join("; ", refused));
        }
        List<String> replaced = new ArrayList<>();
        List<String> skipped = new ArrayList<>(); // methods the builder's policies skip: a deferred result
        int[] reached = {0};
        Map<Object, Class<?>> resolved = new java.util.IdentityHashMap<>(); // the alternatives the annotations name
        List<Map.Entry<MethodSpec, ResilientMethod>> breakers = new ArrayList<>(); // methods whose primary has one
        Map<Method, ResilientMethod> policies = MethodScan.resolveEach(type, problems, m -> {
            if (programmatic) {
                replacedAnnotations(m, replaced);
                // the result as the target returns it: a type variable of a generic super-interface resolved
                String deferred = Repetition.deferredResult(impl, m);
                if (deferred != null) {
                    skipped.add(AnnotationLookup.describe(type, m) + " (returns " + deferred + ")");
                    return null;
                }
                reached[0]++;
            }
            MethodSpec spec = programmatic ? programmatic(m, defined, problems) : annotated(m, defined, resolved);
            ResilientMethod executor = spec == null ? null : Chains.executorOf(spec);
            if (spec != null && spec.circuitBreaker() != null) {
                breakers.add(Map.entry(spec, executor));
            }
            return executor;
        });
        skipped.sort(null); // reflection lists methods in no fixed order
        List<String> neverJudged = programmatic ? neverJudged(policies.keySet(), problems) : List.of();
        if (programmatic && reached[0] == 0) {
            problems.add(Rules.at(where, MethodRules.reachesNoMethod(builderPolicies(), type.getSimpleName(),
                    skipped)));
        }
        if (!problems.isEmpty()) {
            throw new ReboundConfigurationException(problems);
        }
        defined.register();
        if (!skipped.isEmpty()) {
            LOG.warn("{}: {}", where, MethodRules.skipsDeferred(builderPolicies(), skipped));
        }
        if (!neverJudged.isEmpty()) {
            LOG.warn("{} with builder policies: a result predicate never judges some methods' results, which go"
                    + " unjudged: {}", where, String.join("; ", neverJudged));
        }
        if (!replaced.isEmpty()) {
            replaced.sort(null); // reflection lists methods in no fixed order
            LOG.warn("{} with builder policies: the annotations of {} are not applied; the builder's policies "
                    + "replace them (give every policy to the builder, or wrap without builder policies to apply "
                    + "the annotations)", where, String.join(", ", replaced));
        }
        warnIfSharedInTheFleet(where, breakers);
        String unseen = programmatic || !policies.isEmpty() ? null : ContainerProxies.classBehindUnseen(type, target);
        if (unseen != null) {
            LOG.warn("{}: {}", where, unseen);
        }
        if (!helpers.isEmpty() && !DoorReach.appliesPolicy(target)) {
            LOG.warn("{}: {}", where, MethodRules.helpersNotWrapped(helpers,
                    AnnotationLookup.simpleName(impl)));
        }
        if (!policies.isEmpty()) {
            boolean alternatives = fallbacks != null && !fallbacks.isEmpty();
            MethodChecks.warnFallbackWithoutRetry(type.getName(), where,
                    alternatives || fallbackHandler == null ? "withFallbacks" : "withFallbackHandler", "withRetry",
                    alternatives || fallbackHandler != null, retry != null ? retry.attempts() : 1);
            if (DoorReach.appliesPolicy(target)) {
                AlreadyResilient.warnIfNested(type, target, policies);
            }
            SelfRetryCheck.warnIfSelfRetrying(target, where);
            AiServicesProxies.warnIfRepeated(target, where, policies);
            if (fallbacks != null) {
                for (T alt : fallbacks) {
                    SelfRetryCheck.warnIfSelfRetrying(alt, where);
                }
            }
            // each instance the settings' resolver made for a @Fallback.to, as a withFallbacks model is checked
            resolved.forEach((alt, named) -> SelfRetryCheck.warnIfSelfRetrying(alt,
                    where + " @Fallback.to " + named.getSimpleName()));
        }
        T generated = jdkProxy ? null : GeneratedWrappers.create(type, target, targetName(), policies);
        return generated != null ? generated : ResilientProxy.create(type, target, targetName(), policies);
    }

    /**
     * Adds {@code m} and the policy annotations the builder's policies replace on it ({@code
     * "Chat.chat(String) (@RateLimit)"}), if any: what the interface and the target's class carry, unless
     * the target applies them itself (woven, intercepted, a wrapper), which {@link AlreadyResilient} reports.
     */
    private void replacedAnnotations(Method m, List<String> replaced) {
        if (DoorReach.appliesPolicy(target)) {
            return;
        }
        Class<?> impl = implClass();
        List<String> annotations = AnnotationPolicies.annotationsOf(impl, m);
        if (!annotations.isEmpty()) {
            replaced.add(AnnotationLookup.describe(type, m) + " (" + String.join(", ", annotations) + ")");
        }
    }

    /**
     * A wrapper without a name: its breakers are named in the fleet by method and target class only, so
     * a second such wrapper of the same class (or a lambda of the same outer class) in use at once would
     * share their open state on a store that shares breakers ({@link UnnamedFleetBreakers}, which says so).
     */
    private void warnIfSharedInTheFleet(String where, List<Map.Entry<MethodSpec, ResilientMethod>> breakers) {
        if (name != null) {
            return;
        }
        for (Map.Entry<MethodSpec, ResilientMethod> b : breakers) {
            MethodSpec spec = b.getKey();
            UnnamedFleetBreakers.built(where, settings != null ? settings.rateLimitStore() : null, spec.fleetMethod(),
                    spec.fleetTarget(), b.getValue(), UnnamedFleetBreakers.Door.WRAP);
        }
    }

    /**
     * The builder's result predicates that would never judge the result of some of {@code methods}
     * ({@link ResultAndHandlerRules#neverJudges}), each problem named after its method. The builder's
     * predicate covers every method of the interface, so these are said at WARN (a {@code ChatModel}'s
     * {@code chat(String)} beside its {@code chat(ChatRequest)}); a predicate that judges none of them is
     * applied nowhere, a problem added to {@code problems}.
     */
    private List<String> neverJudged(java.util.Set<Method> methods, List<String> problems) {
        Map<Predicate<Object>, String> predicates = new java.util.LinkedHashMap<>();
        if (retry != null) {
            retry.resultPredicates().forEach(p -> predicates.putIfAbsent(p, "RetryPolicy.Builder.retryOnResult"));
        }
        fallbackOnResult.forEach(p -> predicates.putIfAbsent(p, "fallbackOnResult"));
        List<String> warned = new ArrayList<>();
        Class<?> impl = implClass();
        for (Map.Entry<Predicate<Object>, String> p : predicates.entrySet()) {
            List<String> never = new ArrayList<>();
            for (Method m : methods) {
                String problem = ResultAndHandlerRules.neverJudges(p.getValue(), p.getKey().getClass(),
                        impl, m);
                if (problem != null) {
                    never.add(Rules.at(AnnotationLookup.describe(type, m), problem));
                }
            }
            never.sort(null); // reflection lists methods in no fixed order
            (never.size() == methods.size() && !never.isEmpty() ? problems : warned).addAll(never);
        }
        return warned;
    }

    /** What the builder was given, as its methods are named: {@code "withRetry, withFallbacks"}. */
    private String builderPolicies() {
        List<String> given = new ArrayList<>();
        if (retry != null) {
            given.add("withRetry");
        }
        if (breaker != null) {
            given.add("withCircuitBreaker");
        }
        if (rateLimit != null) {
            given.add("withRateLimit");
        }
        if (fallbacks != null) {
            given.add("withFallbacks");
        }
        if (fallbackHandler != null) {
            given.add("withFallbackHandler");
        }
        if (!fallbackOnResult.isEmpty()) {
            given.add("fallbackOnResult");
        }
        return String.join(", ", given);
    }

    /** {@code m}'s spec from the builder's policies; {@code m} does not return a deferred result. */
    private MethodSpec programmatic(Method m, Definitions defined, List<String> problems) {
        Class<?> impl = implClass();
        String method = AnnotationLookup.describe(type, m);
        boolean nonIdempotent = AnnotationLookup.find(NonIdempotent.class, impl, type, m) != null;
        if (nonIdempotent) {
            if (retry != null) {
                MethodChecks.checkRepeat(retry, MethodRules.RetryAttributes.BUILDER, method, true, null, problems);
            }
            Rules.addAt(method, MethodRules.nonIdempotentFallback("withFallbacks",
                    fallbacks != null && !fallbacks.isEmpty(), fallbackRule.named(), "fallbackOn",
                    !fallbackOnResult.isEmpty(), "fallbackOnResult"), problems);
        }
        List<Alternative> chain = new ArrayList<>();
        int before = problems.size();
        if (fallbacks != null) {
            for (T alt : fallbacks) { // what no door applies to it, the engine does
                chain.add(AnnotationPolicies.given(ResilientProxy.nameOf(alt, type), alt, impl, type, m,
                        nonIdempotent, settings, defined, problems));
            }
            // two of one class (two backends of one client class): a breaker each in the fleet, a name each
            chain = Alternative.toldApart(chain, targetName(), fleetTarget());
        }
        if (fallbacks != null && CallShape.of(impl, m) == CallShape.STREAM) {
            for (T alt : fallbacks) { // an alternative that narrows the handler could never be handed one
                String narrowed = MethodChecks.narrowingAlternativeProblem(alt.getClass(), m);
                if (narrowed != null && !problems.contains(narrowed)) {
                    problems.add(narrowed);
                }
            }
        }
        MethodChecks.checkShape(CallShape.of(impl, m), impl, m, ProblemNames.all(method), rateLimit != null, "withRateLimit",
                fallbackHandler != null, "withFallbackHandler", retry,
                "RetryPolicy.Builder.retryOnResult", !fallbackOnResult.isEmpty(), "fallbackOnResult", chain,
                "withRetry", "withFallbacks", problems);
        if (problems.size() > before) {
            return null;
        }
        m.setAccessible(true);
        return MethodSpec.builder(method, targetName()).shapeOf(impl, m)
                .retry(retry != null ? retry : RetryPolicy.none()).circuitBreaker(breaker)
                .rateLimit(rateLimit).fallbacks(fallbackRule, chain)
                .fallbackOnResult(ResultAndHandlerRules.anyOf(fallbackOnResult))
                .fallbackHandler(fallbackHandler).settings(settings).budgetScope(type.getName())
                .sharedAs(AnnotationLookup.qualified(type, m), fleetTarget())
                .runsIn(impl, m).build();
    }

    /**
     * Why Rebound cannot call {@code type}'s methods reflectively, or null if it can: on the module path,
     * a package that {@code type}'s module does not export to Rebound's runtime (or, for a non-public
     * interface, does not open to it), with the {@code module-info} line that fixes it.
     */
    static String closedPackage(Class<?> type, String where) {
        Module rebound = WrapAssembly.class.getModule();
        Module owner = type.getModule();
        String pkg = type.getPackageName();
        boolean open = Modifier.isPublic(type.getModifiers());
        if (open ? owner.isExported(pkg, rebound) : owner.isOpen(pkg, rebound)) {
            return null;
        }
        String verb = open ? "exports" : "opens";
        String to = rebound.isNamed() ? " to " + rebound.getName() : "";
        return where + ": module " + (owner.isNamed() ? owner.getName() : "(unnamed)") + " does not "
                + (open ? "export" : "open") + " package " + pkg + " to Rebound (" + (rebound.isNamed()
                ? rebound.getName() : "the unnamed module") + "), which calls " + type.getSimpleName()
                + "'s methods reflectively: add `" + verb + " " + pkg + to + ";` to that module's module-info.java";
    }

    /** Hidden frames shown: {@code pool.submit(builder::build)} has the application only in its lambda's frame. */
    private static final StackWalker CALLERS = StackWalker.getInstance(
            java.util.Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_HIDDEN_FRAMES));

    /**
     * The first class on the stack from a loader other than Rebound's (and not the JDK's), hidden classes
     * included (a lambda or method reference the application hands a pool, {@code Parallel} included, is
     * defined in its loader): the application that builds this wrapper when Rebound sits in a server's shared lib; null when every caller shares
     * Rebound's loader (an application with Rebound in it, whose definitions last as long as it does). Asked
     * once per build, never per call.
     */
    private static Class<?> callerOutsideRebound() {
        ClassLoader rebound = WrapAssembly.class.getClassLoader();
        return CALLERS.walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> c.getClassLoader() != null && c.getClassLoader() != rebound)
                .findFirst().orElse(null));
    }

    private String targetName() {
        return name != null ? name : ResilientProxy.nameOf(target, type);
    }

    /**
     * How the fleet names the target ({@link MethodSpec#fleetName()}): the name given with {@code named}; else the
     * binary name of the class or interface events name it by ({@link AnnotationLookup#qualifiedName(Class, Class)}:
     * the target's class, the class behind a container's proxy that says it, whichever interfaces the proxy
     * implements, since one {@code $ProxyN} serves every bean of the same interfaces; for a class generated to stand
     * for interfaces, or a JDK proxy, the one it is wrapped as). A target that applies policies of its own (a
     * wrapper, a woven or intercepted object, a container's proxy over one) keeps its breakers under its own name,
     * so this wrapper's are named apart from them, {@code Rebound.wrap(<its name>)} ({@link #WRAPPED}): an opening
     * of one never opens the other.
     */
    private String fleetTarget() {
        if (name != null) {
            return name;
        }
        return DoorReach.madeByDoor(target) ? WRAPPED + innerFleetTarget() + ")"
                : AnnotationLookup.qualifiedName(implClass(), type);
    }

    /** What the fleet names an unnamed wrapper's target that applies policies of its own with, before the target's name. */
    static final String WRAPPED = "Rebound.wrap(";

    /**
     * How the fleet names the breakers of a target that applies policies of its own: a wrapper's (named or not,
     * {@code Rebound.wrap}'s or a container door's) as it was built with; a woven or intercepted object's, or a
     * container's proxy's over one, by the class or interface its door names it by.
     */
    private String innerFleetTarget() {
        if (ResilientProxy.isWrapper(target)) {
            for (Method m : type.getMethods()) {
                MethodSpec inner = Chains.specOf(ResilientProxy.policyOf(target, m));
                if (inner != null) {
                    return inner.fleetTarget();
                }
            }
        }
        return AnnotationLookup.qualifiedName(implClass(), type);
    }

    /**
     * The class whose annotations apply to the target's calls: the user's class behind a container's
     * proxy that says what it is (Spring's, JDK or CGLIB: {@link ContainerProxies}), else the target's own.
     */
    private Class<?> implClass() {
        return ContainerProxies.implClassOf(target);
    }

    /**
     * {@code m}'s spec from the annotations; each alternative instance the resolver makes is put in {@code
     * resolved} with the class {@code @Fallback.to} names, to be checked once the build has no problem.
     */
    private MethodSpec annotated(Method m, Definitions defined, Map<Object, Class<?>> resolved) {
        ReboundSettings s = settings;
        Class<?> impl = implClass();
        return AnnotationPolicies.resolve(impl, targetName(), fleetTarget(), m, s, alt -> {
            java.util.function.Supplier<Object> made;
            if (s == null) {
                made = dev.rebound.runtime.internal.GlobalAlternatives.supplier(alt);
            } else {
                Object instance = s.alternatives().instanceOf(alt);
                made = () -> instance;
            }
            Object instance = made.get();
            if (instance != null) {
                resolved.putIfAbsent(instance, alt);
            }
            return made;
        }, defined);
    }
}
