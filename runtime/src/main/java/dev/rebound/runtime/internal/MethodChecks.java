package dev.rebound.runtime.internal;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.chain.CallShape;
import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.FallbackRules;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.RetryRules;
import dev.rebound.runtime.rules.Rules;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of one method's policies that the annotation reader and {@code Rebound.wrap}'s builder
 * both make, each adding its problems (naming the method and the attribute) rather than throwing.
 */
public final class MethodChecks {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    /**
     * The methods and interfaces warned about by {@link #warnFallbackWithoutRetry}, by fully qualified
     * name (two interfaces of one simple name are two): once each.
     */
    private static final Set<String> WARNED_WITHOUT_RETRY = ConcurrentHashMap.newKeySet();

    /** The methods warned about by {@link #warnIfRetriedByAnotherLibrary}, with their classes: once each. */
    private static final Set<String> WARNED_OTHER_RETRY = ConcurrentHashMap.newKeySet();

    private MethodChecks() {
    }

    /**
     * Logs {@link FallbackRules#withoutRetry}'s warning for {@code where} (a method, or a builder's
     * wrapper), once per {@code key} (the method's or the wrapped interface's fully qualified name), unless
     * {@code -Drebound.warnFallbackWithoutRetry=false}: {@code "Chat.chat(String) has @Fallback but no
     * @Retry: ..."}, {@code "Rebound.wrap(Chat) has withFallbacks but no withRetry: ..."}; a fallback is
     * alternatives or a handler ({@code hasFallback}).
     */
    public static void warnFallbackWithoutRetry(String key, String where, String fallback, String retry,
            boolean hasFallback, int attempts) {
        String warning = FallbackRules.withoutRetry(fallback, retry, hasFallback, attempts);
        if (warning == null || !Boolean.parseBoolean(System.getProperty(FallbackRules.WARN_WITHOUT_RETRY, "true"))) {
            return;
        }
        if (WARNED_WITHOUT_RETRY.add(key)) {
            LOG.warn("{} {}", where, warning);
        }
    }

    /**
     * Logs {@link RetryRules#retriedByAnotherLibrary}'s warning, once per method and class (by {@code key}:
     * their fully qualified names), when {@code attempts} is above 1 and another library's retry annotation applies to
     * {@code method} on {@code implClass} too ({@link AnnotationLookup#otherLibraryRetry}): the two
     * retries nest, whichever runs outside.
     */
    public static void warnIfRetriedByAnotherLibrary(String key, String name, int attempts, Class<?> implClass,
            Class<?> contract, Method method) {
        if (attempts < 2 || WARNED_OTHER_RETRY.contains(key)) {
            return;
        }
        String other = AnnotationLookup.otherLibraryRetry(implClass, contract, method);
        if (other != null && WARNED_OTHER_RETRY.add(key)) {
            LOG.warn(RetryRules.retriedByAnotherLibrary(name, attempts, other));
        }
    }

    /**
     * Defines the retry budget of {@code policy} once {@code build} registers; a problem of {@code where} when
     * its name is defined otherwise, naming {@code attribute} ({@code "@Retry.budget"}, or {@code "budget"}
     * for a builder's policy). {@code settings} null: the global settings, read live.
     */
    public static void checkBudget(ReboundSettings settings, RetryPolicy policy, String scope, String where,
            String attribute, Definitions build, List<String> problems) {
        String conflict = RetryBudgets.conflict(settings, policy, scope, where, attribute, build);
        if (conflict != null) {
            problems.add(conflict);
        }
    }

    /**
     * What the asynchronous chain cannot apply, refused rather than skipped ({@link MethodRules#asyncRefusals},
     * which the annotation processor applies too): a rate limit or a fallback handler on a CompletionStage or
     * streaming method, a result predicate (the target's, an alternative's retry's, or the fallback's) on a
     * streaming method; then a streaming method's handler parameter declared as a subtype of the handler
     * ({@link MethodRules#narrowedStreamHandler}). A method that takes a streaming handler and returns a
     * result is no streamed call: a retry ({@code retryPolicy}) or a fallback's alternatives
     * ({@code fallbackPolicy}) that would run it again are refused ({@link MethodRules#handlerWithResult}).
     * {@code method} is the method {@code shape} is of; {@code at} names it in the problem of each policy.
     */
    public static void checkShape(CallShape shape, Class<?> impl, Method method, ProblemNames at, boolean rateLimit,
            String rateLimitAttribute, boolean handler,
            String handlerAttribute, RetryPolicy primaryRetry, String retryAttribute, boolean fallbackOnResult,
            String fallbackAttribute, List<Alternative> chain, String retryPolicy, String fallbackPolicy,
            List<String> problems) {
        if (shape != CallShape.STREAM && CallShape.handlerIndex(method) >= 0) {
            String returned = method.getReturnType().getSimpleName();
            if (primaryRetry != null && primaryRetry.attempts() > 1) {
                problems.add(Rules.at(at.retry(), MethodRules.handlerWithResult(retryPolicy, returned)));
            }
            if (!chain.isEmpty()) {
                problems.add(Rules.at(at.fallback(), MethodRules.handlerWithResult(fallbackPolicy, returned)));
            }
        }
        if (shape == CallShape.SYNC) {
            return;
        }
        boolean stream = shape == CallShape.STREAM;
        boolean ownPredicate = primaryRetry != null && primaryRetry.resultPredicate() != null;
        boolean altPredicate = false;
        for (Alternative a : chain) {
            altPredicate |= a.retry() != null && a.retry().resultPredicate() != null;
        }
        // in asyncRefusals' order, each named by the method that carries its policy
        Rules.addAt(at.rateLimit(), MethodRules.asyncRefusals(stream, rateLimit ? rateLimitAttribute : null, null,
                null, null), problems);
        Rules.addAt(at.fallback(), MethodRules.asyncRefusals(stream, null, handler ? handlerAttribute : null, null,
                null), problems);
        Rules.addAt(ownPredicate ? at.retry() : at.fallback(), MethodRules.asyncRefusals(stream, null, null,
                ownPredicate || altPredicate ? retryAttribute : null, null), problems);
        Rules.addAt(at.fallback(), MethodRules.asyncRefusals(stream, null, null, null,
                fallbackOnResult ? fallbackAttribute : null), problems);
        String narrowed = stream ? narrowedHandlerProblem(impl, method) : null;
        if (narrowed != null && !problems.contains(narrowed)) { // an alternative of the same class said it already
            problems.add(narrowed);
        }
    }

    /**
     * The method whose streaming handler parameter is narrowed ({@link CallShape#narrowedHandler}):
     * {@code method} itself, else the method of {@code impl} (or of a superclass, a package-private one
     * behind a public subclass's visibility bridge included) that implements it: a generic contract
     * ({@code Chat<H extends StreamingChatResponseHandler>}) implemented as {@code Chat<TokenSink>} erases to
     * the handler itself, and only the implementation's method (behind a bridge that casts) shows the
     * narrower type. Null when neither narrows it. A lambda's method is erased: its narrowing cannot be
     * seen (configuration-errors.md says so).
     */
    public static Method narrowingMethod(Class<?> impl, Method method) {
        if (CallShape.narrowedHandler(method) != null) {
            return method;
        }
        if (impl == null || impl.isInterface() || !method.getDeclaringClass().isAssignableFrom(impl)) {
            return null;
        }
        for (Class<?> k = impl; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Method candidate : k.getDeclaredMethods()) {
                if (!candidate.isBridge() && !candidate.isSynthetic() && candidate.getName().equals(method.getName())
                        && candidate.getParameterCount() == method.getParameterCount()
                        && !java.lang.reflect.Modifier.isStatic(candidate.getModifiers())
                        && method.equals(Overrides.declaredIn(method.getDeclaringClass(), impl, candidate))) {
                    return CallShape.narrowedHandler(candidate) != null ? candidate : null;
                }
            }
        }
        return null;
    }

    /**
     * The problem of {@code impl} (the target's or an alternative's class) narrowing the streaming handler
     * parameter of {@code method} (a contract's, or the class's method a door resolved), named by the method
     * that narrows it as its source declares it, whichever door resolved which: an interface's declaration that
     * narrows it ({@code SinkStreamer.stream(String, TokenSink)}), else the class's method that does ({@code
     * SinkGenericStreamer.stream(String, TokenSink)} for {@code class SinkGenericStreamer implements
     * GenericStreamer<TokenSink>}, never the contract's name with the class's parameters); null when none does.
     */
    public static String narrowedHandlerProblem(Class<?> impl, Method method) {
        Method narrowing = narrowingMethod(impl, method);
        if (narrowing == null) {
            return null;
        }
        Method named = narrowing;
        for (Class<?> itf : narrowing.getDeclaringClass().isInterface() ? List.<Class<?>>of()
                : AnnotationLookup.allInterfaces(impl)) {
            Method declared = Overrides.declaredIn(itf, impl, narrowing);
            if (declared != null && !declared.isBridge() && CallShape.narrowedHandler(declared) != null) {
                named = declared;
                break;
            }
        }
        return Rules.at(AnnotationLookup.describe(named.getDeclaringClass(), named),
                MethodRules.narrowedStreamHandler(CallShape.narrowedHandler(narrowing).getSimpleName()));
    }

    /**
     * The problem of an alternative of class {@code alt} narrowing the streaming handler parameter of
     * {@code method} in its own implementation, named by its own narrowing method
     * ({@code NarrowAlt.stream(String, TokenSink)}); null when it does not, or when {@code method} itself
     * narrows it (the primary's problem says so, once).
     */
    public static String narrowingAlternativeProblem(Class<?> alt, Method method) {
        return CallShape.narrowedHandler(method) != null ? null : narrowedHandlerProblem(alt, method);
    }

    /**
     * The policies written on methods of {@code implClass} (or a superclass) that no wrapper of one of its
     * interfaces intercepts. A static or non-public one is a problem added to {@code problems} (no door
     * intercepts it: the words of every door), and so is every policy {@link #checkNeverIntercepted} finds
     * (on Object's methods; on an interface's private or static method). A public one that implements no
     * method of any interface of {@code implClass} (a helper the interface's methods call) is returned, as
     * {@code "Impl.helper(String) (@Retry)"}, for a warning: only a door that intercepts classes (the
     * aspect, Guice) would apply it. Only method-level annotations: a type-level one reaches the
     * interfaces' methods by rule ({@link AnnotationLookup}).
     */
    public static List<String> checkUnreached(Class<?> implClass, List<String> problems) {
        List<Class<?>> interfaces = AnnotationLookup.allInterfaces(implClass);
        // the methods the interfaces' methods resolve to (a generic superclass's method an interface binds)
        Set<Method> resolved = new HashSet<>();
        for (Class<?> itf : interfaces) {
            for (Method im : itf.getMethods()) {
                for (Class<?> c = implClass; c != null && c != Object.class; c = c.getSuperclass()) {
                    Method own = Overrides.declaredIn(c, implClass, im);
                    if (own != null) {
                        resolved.add(own);
                    }
                }
            }
        }
        List<String> helpers = new ArrayList<>();
        for (Class<?> c = implClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                String annotations = m.isSynthetic() || m.isBridge() ? null : MethodScan.policiesOn(m);
                if (annotations == null || MethodScan.isObjectMethod(m)) { // Object's: checkNeverIntercepted's
                    continue;
                }
                String where = AnnotationLookup.describe(c, m);
                if (Modifier.isStatic(m.getModifiers())) {
                    problems.add(Rules.at(where, MethodRules.notInstance()));
                } else if (!Modifier.isPublic(m.getModifiers())) {
                    problems.add(Rules.at(where, MethodRules.notPublic()));
                } else if (!resolved.contains(m) && !implementsAny(interfaces, implClass, m)) {
                    helpers.add(where + " (" + annotations + ")");
                }
            }
        }
        checkNeverIntercepted(implClass, problems);
        helpers.sort(null); // reflection lists methods in no fixed order
        return helpers;
    }

    /**
     * The method-level policies of {@code type} that no door applies, whatever the build, each a problem
     * added to {@code problems}: one on {@code equals}, {@code hashCode} or {@code toString}, declared by
     * the class, a superclass or an interface ({@link MethodRules#objectMethod}); one on a private or
     * static method of an interface of {@code type} ({@link MethodRules#notPublic},
     * {@link MethodRules#notInstance}), which a wrapper never calls and which the aspect's build-time
     * errors see only when ajc compiles the interface.
     */
    public static void checkNeverIntercepted(Class<?> type, List<String> problems) {
        List<Class<?>> declaring = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class && !c.isInterface(); c = c.getSuperclass()) {
            declaring.add(c);
        }
        declaring.addAll(AnnotationLookup.allInterfaces(type));
        List<String> found = new ArrayList<>();
        for (Class<?> c : declaring) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isSynthetic() || m.isBridge() || !MethodScan.carriesPolicy(m)) {
                    continue;
                }
                String where = AnnotationLookup.describe(c, m);
                if (MethodScan.isObjectMethod(m)) {
                    found.add(Rules.at(where, MethodRules.objectMethod()));
                } else if (c.isInterface() && Modifier.isStatic(m.getModifiers())) {
                    found.add(Rules.at(where, MethodRules.notInstance()));
                } else if (c.isInterface() && Modifier.isPrivate(m.getModifiers())) {
                    found.add(Rules.at(where, MethodRules.notPublic()));
                }
            }
        }
        found.sort(null); // reflection lists methods in no fixed order
        problems.addAll(found);
    }

    /** Whether {@code m}, a method of {@code implClass}, is or implements a method of one of {@code interfaces}. */
    private static boolean implementsAny(List<Class<?>> interfaces, Class<?> implClass, Method m) {
        for (Class<?> itf : interfaces) {
            if (Overrides.declaredIn(itf, implClass, m) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * A retry of more than one attempt re-runs the call: not on deferred results; on a non-idempotent
     * method, only on the failures named as safe ({@link MethodRules#nonIdempotentRetry}).
     *
     * @param names {@link MethodRules.RetryAttributes#ANNOTATION} or {@link MethodRules.RetryAttributes#BUILDER}
     */
    public static void checkRepeat(RetryPolicy retry, MethodRules.RetryAttributes names, String where,
            boolean nonIdempotent, String deferred, List<String> problems) {
        if (retry.attempts() == 1) {
            return;
        }
        if (deferred != null) {
            problems.add(Rules.at(where, MethodRules.deferred(names.policy(), deferred)));
        } else if (nonIdempotent) {
            Rules.addAt(where, MethodRules.nonIdempotentRetry(names, retry.attempts(),
                    FailureType.of(retry.retryOn()), FailureType.of(retry.abortOn()),
                    retry.resultPredicate() != null, retry.attemptTimeoutNanos() > 0), problems);
        }
    }

}
