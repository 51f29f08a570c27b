package dev.rebound.weaver.processor;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.GenerateWrapper;
import dev.rebound.annotations.NonIdempotent;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.rules.BreakerRules;
import dev.rebound.runtime.rules.RateLimitRules;
import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.FallbackRules;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.NamedClassRules;
import dev.rebound.runtime.rules.ResultPredicateRules;
import dev.rebound.runtime.rules.RetryRules;
import dev.rebound.runtime.rules.Rules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;

/**
 * Rejects misconfigured {@code @Retry}, {@code @CircuitBreaker}, {@code @RateLimit} and {@code @Fallback} at compile time,
 * with the runtime's rule set and so the runtime's words ({@link dev.rebound.runtime.rules}): every
 * bound of {@code @Retry} and {@code @CircuitBreaker}, failure lists that can never take effect or that
 * no alternative or handler would act on, an alternative that does not implement the interface, is
 * listed twice, is the class's own in its method-level list or leads back in a cycle, a policy
 * on a method no door can intercept (non-public, a private interface method, static, or {@code equals},
 * {@code hashCode} or {@code toString}) or on one returning a deferred result (a
 * future, a stream), a retry or fallback on a {@code @NonIdempotent} method (its own, or its type's) that
 * names no safe failures or would repeat it on a result or after an attempt timeout, a retry budget or a
 * rate limit key defined twice in the compilation with other values, a policy on an annotation type (policy
 * annotations do not act as meta-annotations, and no door reads an annotation's own).
 * Runs in javac (and ajc) from the weaver jar, for woven and Guice users alike; it loads no logging
 * framework. {@code @SuppressWarnings("rebound")} on an element or an enclosing type skips it. Whether an
 * alternative can be constructed is known only at run time (a container may provide it).
 *
 * <p>Also generates, for every interface that carries a policy (on itself, its methods or the
 * interfaces it extends) or {@code @GenerateWrapper}, the class {@code Rebound.wrap} uses for it instead
 * of a JDK proxy ({@link WrapperSource}), again when a class file from an earlier build is there; none
 * where {@code rebound-runtime} is not on the compile class path (a note says so).
 *
 * <p>A type that names a type not resolved yet (in a Rebound annotation, a supertype or a method's
 * signature) waits for the next round, since another processor may generate it; in the last round it is
 * checked without the annotations that name one, which are javac's own error, and gets no class.
 */
@SupportedAnnotationTypes("*") // an interface may inherit its policy from one compiled elsewhere

public final class ReboundProcessor extends AbstractProcessor {

    private TypeModel model;
    /** The generated classes so far, by binary name: each once, whatever the round. */
    private final Set<String> generated = new HashSet<>();
    /** The top-level types of this compilation's sources so far, by binary name. */
    private final Set<String> compiled = new HashSet<>();
    /** The types left to the next round, by canonical name: they name a type not generated yet. */
    private final Set<String> deferred = new LinkedHashSet<>();
    /** Whether the note that no class is generated without the runtime was given. */
    private boolean notedWithoutRuntime;
    /** The retry budgets defined so far in this compilation, by name: the first definition wins. */
    private final Map<String, Budget> budgets = new HashMap<>();
    /** The rate limits defined so far in this compilation, by key: the first definition wins. */
    private final Map<String, Limits> rateLimits = new HashMap<>();

    @Override
    public synchronized void init(ProcessingEnvironment env) {
        super.init(env);
        model = new TypeModel(env);
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        List<TypeElement> types = new ArrayList<>();
        for (String name : deferred) {
            TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
            if (type != null) {
                types.add(type); // read again: what it names may have been generated in the last round
            }
        }
        deferred.clear();
        for (TypeElement root : javax.lang.model.util.ElementFilter.typesIn(round.getRootElements())) {
            compiled.add(processingEnv.getElementUtils().getBinaryName(root).toString());
            types.add(root);
        }
        List<TypeElement> ready = new ArrayList<>();
        List<TypeElement> resolved = new ArrayList<>();
        for (TypeElement type : types) {
            boolean unresolved = model.unresolved(type);
            if (unresolved && !round.processingOver()) {
                // a type another processor generates in this round (an Immutables value, an alternative)
                deferred.add(type.getQualifiedName().toString());
                continue;
            }
            ready.add(type); // in the last round, javac reports what never resolved; the rest is checked
            if (!unresolved) {
                resolved.add(type);
            }
        }
        List<Element> ordered = new ArrayList<>();
        for (TypeElement type : ready) {
            annotatedIn(type, ordered);
        }
        ordered.sort(Comparator.comparing(ReboundProcessor::typeName).thenComparingInt(ReboundProcessor::position));
        for (Element e : ordered) {
            if (suppressed(e) || unresolvedPolicy(e)) {
                continue; // an unresolved class in its annotation is javac's "cannot find symbol"
            }
            for (String problem : problems(e)) {
                processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, problem, e);
            }
            warnIfRetriedByAnotherLibrary(e);
        }
        for (TypeElement type : resolved) {
            generateWrappers(type);
        }
        return false;
    }

    /**
     * {@code type}, its methods and its nested types that carry a policy annotation ({@code type}'s own or,
     * for a class, one it inherits), as {@code RoundEnvironment.getElementsAnnotatedWith} finds them.
     */
    private void annotatedIn(TypeElement type, List<Element> into) {
        if (policyMirror(type)) {
            into.add(type);
        }
        for (Element e : type.getEnclosedElements()) {
            if (e instanceof TypeElement nested) {
                annotatedIn(nested, into);
            } else if (e.getKind() == ElementKind.METHOD && policyMirror(e)) {
                into.add(e);
            }
        }
    }

    /** Whether {@code e} has a policy annotation, resolved or not. */
    private boolean policyMirror(Element e) {
        return POLICIES.stream().anyMatch(p -> hasMirror(e, p));
    }

    /** Whether a policy annotation of {@code e} names a class that does not resolve. */
    private boolean unresolvedPolicy(Element e) {
        return POLICIES.stream().anyMatch(p -> hasMirror(e, p) && model.annotation(e, p) == null);
    }

    /** Whether {@code e} has {@code annotation} (a class's inherited one too), read from its mirrors. */
    private boolean hasMirror(Element e, Class<?> annotation) {
        return processingEnv.getElementUtils().getAllAnnotationMirrors(e).stream()
                .anyMatch(a -> ((TypeElement) a.getAnnotationType().asElement()).getQualifiedName()
                        .contentEquals(annotation.getName()));
    }

    /** The {@code Rebound.wrap} classes of {@code e}'s interfaces and of those nested in it. */
    private void generateWrappers(Element e) {
        if (!(e instanceof TypeElement)) {
            return;
        }
        TypeElement type = (TypeElement) e;
        String qualified = type.getQualifiedName().toString();
        boolean asked = type.getAnnotation(GenerateWrapper.class) != null;
        if (asked && type.getKind() != ElementKind.INTERFACE) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "Rebound: @GenerateWrapper applies to"
                    + " interfaces only (Rebound.wrap wraps an interface); " + type.getSimpleName() + " is "
                    + (type.getKind() == ElementKind.CLASS ? "a class" : "not an interface"), type);
        }
        if (type.getKind() == ElementKind.INTERFACE && !qualified.startsWith("dev.rebound.annotations.")
                && !qualified.startsWith("dev.rebound.runtime.") && !qualified.startsWith("dev.rebound.weaver.")
                && (asked || carriesPolicy(type, new HashSet<>()))) {
            generateWrapper(type, asked);
        }
        for (Element nested : type.getEnclosedElements()) {
            generateWrappers(nested);
        }
    }

    /** {@code type}'s class, once per build; {@code asked}: it says {@code @GenerateWrapper}. */
    private void generateWrapper(TypeElement type, boolean asked) {
        String name = WrapperSource.nameOf(processingEnv.getElementUtils(), type);
        // a source of this compilation (ajc given the sources javac generated) is current; a class file
        // from an earlier build may have been generated from another version of the interface
        if (generated.contains(name) || compiled.contains(name)) {
            return;
        }
        if (asked && type.getModifiers().contains(Modifier.SEALED)) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "Rebound: @GenerateWrapper on "
                    + type.getSimpleName() + ": " + MethodRules.sealedInterface(
                            processingEnv.getElementUtils().getBinaryName(type).toString()), type);
            return;
        }
        if (processingEnv.getElementUtils().getTypeElement(WrapperSource.GW) == null) {
            withoutRuntime(type, asked);
            return;
        }
        String source = WrapperSource.of(processingEnv, type);
        if (source == null && asked) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.WARNING, "Rebound: @GenerateWrapper on "
                    + type.getSimpleName() + ", but no class can be generated for its shape (private or"
                    + " local; a type-use annotation, a type the class cannot name or a narrower-erasure"
                    + " redeclaration in its methods; a member named like a name the class uses, such as dev,"
                    + " java or rethrow): Rebound.wrap(" + type.getSimpleName() + ") will use a JDK proxy", type);
        }
        if (source == null) {
            return;
        }
        generated.add(name);
        try (java.io.Writer w = processingEnv.getFiler().createSourceFile(name, type).openWriter()) {
            w.write(source);
        } catch (java.io.IOException failed) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.WARNING, "Rebound: could not write "
                    + name + " (" + failed.getMessage() + "): Rebound.wrap(" + type.getSimpleName()
                    + ") will use a JDK proxy, or a class an earlier build generated if it still fits "
                    + type.getSimpleName(), type);
        }
    }

    /**
     * No class is generated where the runtime is not on the compile class path (an API module that
     * depends on rebound-annotations only, the weaver on its processor path): it would not compile. Said
     * once as a note, and as a warning on each interface that asks for its class.
     */
    private void withoutRuntime(TypeElement type, boolean asked) {
        String missing = "rebound-runtime is not on the compile class path (no " + WrapperSource.GW + ")";
        String fix = "add dev.rebound:rebound-runtime to the dependencies to generate it";
        if (asked) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.WARNING, "Rebound: @GenerateWrapper on "
                    + type.getSimpleName() + ", but " + missing + ": no class is generated, and Rebound.wrap("
                    + type.getSimpleName() + ") will use a JDK proxy; " + fix, type);
        } else if (!notedWithoutRuntime) {
            notedWithoutRuntime = true;
            processingEnv.getMessager().printMessage(Diagnostic.Kind.NOTE, "Rebound: " + missing + ", so no class"
                    + " is generated for " + type.getSimpleName() + " nor another interface of this compilation:"
                    + " Rebound.wrap will use a JDK proxy, with the same policy (the checks ran); " + fix, type);
        }
    }

    private static final List<Class<? extends java.lang.annotation.Annotation>> POLICIES =
            List.of(Retry.class, Fallback.class, CircuitBreaker.class, RateLimit.class);

    /** Whether a policy annotation sits on {@code type}, one of its methods, or an interface it extends. */
    private boolean carriesPolicy(TypeElement type, Set<TypeElement> seen) {
        if (!seen.add(type)) {
            return false;
        }
        // not getEnclosedElements: an interface it extends may come from a class file (TypeModel.declaredMembers)
        List<Element> annotated = new ArrayList<>(model.declaredMethods(type));
        annotated.add(type);
        for (Element e : annotated) {
            if (policyMirror(e)) {
                return true;
            }
        }
        for (javax.lang.model.type.TypeMirror s : type.getInterfaces()) {
            if (s instanceof DeclaredType && carriesPolicy((TypeElement) ((DeclaredType) s).asElement(), seen)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Warns, in the runtime's words ({@link RetryRules#retriedByAnotherLibrary}), where a {@code @Retry} of
     * more than one attempt meets another library's retry annotation: {@code e}'s own on a method that
     * carries one, or on its class; for a type's {@code @Retry}, on each method of the type it reaches that
     * carries one. Matched by name: the other library is on the compile class path (its annotation would
     * not compile otherwise), never the processor's.
     */
    private void warnIfRetriedByAnotherLibrary(Element e) {
        Retry retry = model.annotation(e, Retry.class);
        if (retry == null || retry.attempts() < 2) {
            return;
        }
        if (e.getKind() == ElementKind.METHOD) {
            String other = otherLibraryRetry(e);
            if (other == null) {
                other = otherLibraryRetry(e.getEnclosingElement());
            }
            if (other != null) {
                warnRetriedByAnotherLibrary(e, model.describe(e), retry, other);
            }
        } else if (e instanceof TypeElement type) {
            String onType = otherLibraryRetry(type);
            for (ExecutableElement m : javax.lang.model.util.ElementFilter.methodsIn(type.getEnclosedElements())) {
                String other = otherLibraryRetry(m);
                Set<Modifier> mods = m.getModifiers();
                boolean reached = type.getKind() == ElementKind.INTERFACE ? !mods.contains(Modifier.PRIVATE)
                        : mods.contains(Modifier.PUBLIC);
                if (model.annotation(m, Retry.class) == null && reached && !mods.contains(Modifier.STATIC)
                        && model.deferredResult(m.getReturnType()) == null && (other != null || onType != null)) {
                    warnRetriedByAnotherLibrary(m, model.describe(m, type), retry, other != null ? other : onType);
                }
            }
        }
    }

    private void warnRetriedByAnotherLibrary(Element m, String where, Retry retry, String other) {
        processingEnv.getMessager().printMessage(Diagnostic.Kind.WARNING,
                RetryRules.retriedByAnotherLibrary(where, retry.attempts(), other), m);
    }

    /** The binary name of another library's retry annotation on {@code e} itself, or null. */
    private String otherLibraryRetry(Element e) {
        for (javax.lang.model.element.AnnotationMirror a : e.getAnnotationMirrors()) {
            if (a.getAnnotationType().getKind() != TypeKind.DECLARED) {
                continue; // unresolved: javac's own error
            }
            String name = model.binaryName(a.getAnnotationType());
            if (RetryRules.OTHER_LIBRARIES_RETRIES.contains(name)) {
                return name;
            }
        }
        return null;
    }

    private List<String> problems(Element e) {
        List<String> problems = new ArrayList<>();
        if (e.getKind() == ElementKind.ENUM && underAjc()) {
            // the aspect weaves an enum's annotated methods, never its type's policy (an enum is never Woven);
            // and ajc's model of an enum's members fails on the reads below (a NullPointerException of its own)
            problems.add(Rules.at(e.getSimpleName().toString(), MethodRules.enumTypePolicy()));
            return problems;
        }
        if (e.getKind() == ElementKind.ANNOTATION_TYPE) {
            // @Retry's @Target(TYPE) lets it on an annotation type: it would be lost in silence where that is used
            problems.add(Rules.at(e.getSimpleName().toString(), MethodRules.annotationTypePolicy(String.join(", ",
                    POLICIES.stream().filter(p -> hasMirror(e, p)).map(p -> "@" + p.getSimpleName()).toList()))));
            return problems;
        }
        TypeElement contract = model.contractOf(e);
        String where = model.describe(e); // the element that carries the annotation, as the runtime names it
        boolean method = e.getKind() == ElementKind.METHOD;
        if (method) {
            Set<Modifier> mods = e.getModifiers();
            // an interface's method is public unless it is private (a Java 9+ private interface method)
            boolean itfMethod = e.getEnclosingElement().getKind() == ElementKind.INTERFACE;
            if (mods.contains(Modifier.STATIC)) {
                problems.add(Rules.at(where, MethodRules.notInstance()));
            } else if (itfMethod ? mods.contains(Modifier.PRIVATE) : !mods.contains(Modifier.PUBLIC)) {
                problems.add(Rules.at(where, MethodRules.notPublic()));
            } else if (objectMethod((ExecutableElement) e)) {
                problems.add(Rules.at(where, MethodRules.objectMethod()));
            }
        }
        String deferred = method ? model.deferredResult(((ExecutableElement) e).getReturnType()) : null;
        // a type's policies reach each of its methods, checked as such below
        boolean nonIdempotent = method && model.nonIdempotent(e);
        Retry retry = model.annotation(e, Retry.class);
        if (retry != null) {
            List<String> found = RetryRules.check(retry, model.failureTypes(e, Retry.class, "on"),
                    model.failureTypes(e, Retry.class, "abortOn"));
            Rules.addAt(where, found, problems);
            if (found.isEmpty()) {
                checkBudget(retry, contract, where, problems);
            }
            if (found.isEmpty() && retry.attempts() > 1 && deferred != null) {
                problems.add(Rules.at(where, MethodRules.deferred("@Retry", deferred)));
            } else if (nonIdempotent) {
                checkNonIdempotentRetry(e, where, problems);
            }
        }
        checkNamedClasses(e, where, problems);
        CircuitBreaker breaker = model.annotation(e, CircuitBreaker.class);
        if (breaker != null) {
            Rules.addAt(where, BreakerRules.check(breaker, model.failureTypes(e, CircuitBreaker.class, "on"),
                    model.failureTypes(e, CircuitBreaker.class, "skipOn")), problems);
            if (deferred != null) {
                problems.add(Rules.at(where, MethodRules.deferred("@CircuitBreaker", deferred)));
            }
        }
        RateLimit rateLimit = model.annotation(e, RateLimit.class);
        if (rateLimit != null) {
            List<String> found = RateLimitRules.check(rateLimit);
            Rules.addAt(where, found, problems);
            if (found.isEmpty()) {
                checkRateLimitKey(rateLimit, e, contract, where, problems);
            }
            if (deferred != null) {
                problems.add(Rules.at(where, MethodRules.deferred("@RateLimit", deferred)));
            }
        }
        if (model.annotation(e, Fallback.class) != null) {
            Rules.addAt(where, FailureType.problems("@Fallback.on", model.failureTypes(e, Fallback.class, "on"),
                    "@Fallback.skipOn", model.failureTypes(e, Fallback.class, "skipOn"), FailureType.Action.CAUGHT),
                    problems);
            checkNothingToFallBackTo(e, where, problems);
            if (contract != null) {
                checkFallbackTargets(e, where, contract, problems);
            }
            boolean hasAlternatives = !model.values(e, Fallback.class, "to").isEmpty();
            // a handler as much as an alternative: neither would see a failure arriving after the call
            if (deferred != null && (hasAlternatives || model.classValue(e, Fallback.class, "handler") != null)) {
                problems.add(Rules.at(where, MethodRules.deferred("@Fallback", deferred)));
            } else if (nonIdempotent) {
                checkNonIdempotentFallback(e, where, problems);
            }
        }
        if (method) {
            checkAsyncShape((ExecutableElement) e, e, where, problems);
            checkResultJudged((ExecutableElement) e, e, where, problems);
        } else if (e instanceof TypeElement) {
            // a type-level policy reaches every public method callable through the type, inherited ones
            // included; the runtime names each after the annotated type
            boolean itf = e.getKind() == ElementKind.INTERFACE;
            Map<ExecutableElement, String> reachedMethods = new LinkedHashMap<>();
            for (ExecutableElement m : javax.lang.model.util.ElementFilter.methodsIn(
                    processingEnv.getElementUtils().getAllMembers((TypeElement) e))) {
                Set<Modifier> mods = m.getModifiers();
                if (!objects(m) && !objectMethod(m) && !mods.contains(Modifier.STATIC)
                        && (itf ? !mods.contains(Modifier.PRIVATE) : mods.contains(Modifier.PUBLIC))) {
                    TypeElement declaring = itf ? (m.getEnclosingElement().equals(e) ? model.contractOf(m) : (TypeElement) e)
                            : model.contractOf(m, (TypeElement) e);
                    String reached = model.describe(m, (TypeElement) e);
                    reachedMethods.put(m, reached);
                    checkAsyncShape(m, e, reached, problems);
                    if (model.deferredResult(m.getReturnType()) == null) { // type-level policies skip it
                        checkResultJudged(m, e, reached, problems);
                    }
                    checkTypePolicyReached(m, (TypeElement) e, itf ? (TypeElement) e : declaring, reached, problems);
                }
            }
            return perReachedMethod((TypeElement) e, where, reachedMethods, problems);
        }
        return problems;
    }

    /**
     * The problems of a type-level annotation's attributes, named as the runtime names them: once per
     * method the annotation reaches ({@code Typed.ask(String): @Retry.attempts = 0 is outside 1..100}),
     * that is each method above without an annotation of that kind of its own and without a deferred
     * result (a stream, a publisher, a plain future: type-level policies skip it). An annotation that
     * reaches no method keeps the type's name ({@code Typed: ...}), so its problem is still reported.
     *
     * @param typeName the type's name, which each of those problems starts with ({@code "Typed: "})
     */
    private List<String> perReachedMethod(TypeElement type, String typeName, Map<ExecutableElement, String> reached,
            List<String> problems) {
        String prefix = typeName + ": ";
        List<String> out = new ArrayList<>();
        for (String p : problems) {
            if (!p.startsWith(prefix)) {
                out.add(p); // already named after a reached method
                continue;
            }
            String words = p.substring(prefix.length());
            Class<? extends java.lang.annotation.Annotation> annotation = POLICIES.stream()
                    .filter(a -> words.startsWith("@" + a.getSimpleName() + ".")
                            || words.startsWith("@" + a.getSimpleName() + " "))
                    .findFirst().orElse(null);
            List<String> named = annotation == null ? List.of() : reached.entrySet().stream()
                    .filter(m -> !model.onMethod(m.getKey(), type, annotation)
                            && model.deferredResult(m.getKey().getReturnType()) == null)
                    .map(m -> Rules.at(m.getValue(), words)).toList();
            if (named.isEmpty()) {
                out.add(p);
            }
            for (String n : named) {
                if (!out.contains(n)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** Whether {@code m} is a member of {@code java.lang.Object} (an interface lists them among its members). */
    private static boolean objects(ExecutableElement m) {
        return ((TypeElement) m.getEnclosingElement()).getQualifiedName().contentEquals("java.lang.Object");
    }

    private boolean objectMethod(ExecutableElement m) {
        return WrapperSource.objectMethod(processingEnv.getTypeUtils(), m);
    }

    /**
     * What the asynchronous chain refuses ({@link MethodRules#asyncRefusals}, then a handler parameter
     * declared as a subtype of the handler: {@link MethodRules#narrowedStreamHandler}) on {@code m}, a method
     * returning a {@code CompletionStage} or streaming to a langchain4j handler; and on a method that takes
     * such a handler but returns a result, a retry or alternatives ({@link MethodRules#handlerWithResult}), for the policies
     * {@code annotated} (the method itself, or its type for the methods that do not say otherwise) puts
     * on it. An alternative's own {@code @Retry.onResult} is checked when the runtime resolves the chain.
     */
    private void checkAsyncShape(ExecutableElement m, Element annotated, String where, List<String> problems) {
        boolean stream = model.streams(m);
        boolean own = annotated == m;
        String returned = stream ? null : model.returnsWithStreamHandler(m);
        if (returned != null) { // no streamed call: what would run it again would repeat the handler's tokens
            Retry retry = has(m, annotated, own, Retry.class) ? model.annotation(annotated, Retry.class) : null;
            if (retry != null && retry.attempts() > 1) {
                problems.add(Rules.at(where, MethodRules.handlerWithResult("@Retry", returned)));
            }
            if (has(m, annotated, own, Fallback.class) && !model.values(annotated, Fallback.class, "to").isEmpty()) {
                problems.add(Rules.at(where, MethodRules.handlerWithResult("@Fallback", returned)));
            }
        }
        if (!stream && !model.returnsAsync(m)) {
            return;
        }
        String rateLimit = has(m, annotated, own, RateLimit.class) ? "@RateLimit" : null;
        String handler = has(m, annotated, own, Fallback.class) && model.classValue(annotated, Fallback.class,
                "handler") != null ? "@Fallback.handler" : null;
        String retryOnResult = has(m, annotated, own, Retry.class)
                && !model.classes(annotated, Retry.class, "onResult").isEmpty() ? "@Retry.onResult" : null;
        String fallbackOnResult = has(m, annotated, own, Fallback.class)
                && !model.classes(annotated, Fallback.class, "onResult").isEmpty() ? "@Fallback.onResult" : null;
        Rules.addAt(where, MethodRules.asyncRefusals(stream, rateLimit, handler, retryOnResult, fallbackOnResult),
                problems);
        String narrowed = stream ? model.narrowedHandler(m) : null;
        if (narrowed != null) {
            // named by the method that narrows it, as it is declared (the runtime's narrowing method)
            problems.add(Rules.at(model.describe(m), MethodRules.narrowedStreamHandler(narrowed)));
        }
    }

    /**
     * The result predicates {@code annotated} puts on {@code m} that would never judge its result
     * ({@link ResultPredicateRules}: the runtime's words, javac's facts).
     */
    private void checkResultJudged(ExecutableElement m, Element annotated, String where, List<String> problems) {
        boolean own = annotated == m;
        if (has(m, annotated, own, Retry.class)) {
            for (DeclaredType p : model.classes(annotated, Retry.class, "onResult")) {
                Rules.addAt(where, neverJudges("@Retry.onResult", p, m.getReturnType()), problems);
            }
        }
        if (has(m, annotated, own, Fallback.class)) {
            for (DeclaredType p : model.classes(annotated, Fallback.class, "onResult")) {
                Rules.addAt(where, neverJudges("@Fallback.onResult", p, m.getReturnType()), problems);
            }
        }
    }

    private String neverJudges(String attribute, DeclaredType predicate, TypeMirror returned) {
        Types types = processingEnv.getTypeUtils();
        if (returned.getKind() == TypeKind.VOID) {
            return null;
        }
        String future = null;
        if (returned.getKind() == TypeKind.DECLARED
                && MethodRules.isAsyncResult(model.binaryName(types.erasure(returned)))) {
            // the value the future completes with is judged: its type argument, unless unknown (raw, T, ?)
            List<? extends TypeMirror> args = ((DeclaredType) returned).getTypeArguments();
            if (args.size() != 1 || args.get(0).getKind() != TypeKind.DECLARED) {
                return null;
            }
            future = model.binaryName(types.erasure(returned));
            returned = args.get(0);
        }
        TypeMirror result = returned.getKind().isPrimitive()
                ? types.boxedClass((javax.lang.model.type.PrimitiveType) returned).asType() : types.erasure(returned);
        if (result.getKind() != TypeKind.DECLARED
                || !ResultPredicateRules.checked(model.binaryName(result))) { // arrays: not checked
            return null;
        }
        TypeMirror declared = judgedBy(predicate);
        List<String> judgedNames = ResultPredicateRules.judged(model.binaryName(predicate),
                declared == null ? null : model.binaryName(declared));
        if (judgedNames.isEmpty() || judgedNames.contains("java.lang.Object")) {
            return null;
        }
        TypeElement resultType = (TypeElement) types.asElement(result);
        boolean known = false;
        for (String judgedName : judgedNames) {
            TypeElement judgedType = processingEnv.getElementUtils().getTypeElement(judgedName.replace('$', '.'));
            if (judgedType == null) {
                continue; // an optional library absent from the build: its type is never the result
            }
            known = true;
            TypeMirror judged = types.erasure(judgedType.asType());
            boolean related = types.isAssignable(result, judged) || types.isAssignable(judged, result);
            if (ResultPredicateRules.canBeBoth(related, judgedType.getKind().isInterface(),
                    judgedType.getModifiers().contains(Modifier.FINAL), resultType.getKind().isInterface(),
                    resultType.getModifiers().contains(Modifier.FINAL))) {
                return null;
            }
        }
        return known ? ResultPredicateRules.neverJudges(attribute, model.binaryName(predicate), judgedNames, future,
                model.binaryName(result)) : null;
    }

    /** The erasure of the {@code T} of the {@code Predicate<T>} {@code type} implements; null if unknown. */
    private TypeMirror judgedBy(TypeMirror type) {
        Types types = processingEnv.getTypeUtils();
        for (TypeMirror s : types.directSupertypes(type)) {
            if (s instanceof DeclaredType d && ((TypeElement) d.asElement()).getQualifiedName()
                    .contentEquals(NamedClassRules.PREDICATE)) {
                if (d.getTypeArguments().size() != 1) {
                    return null;
                }
                TypeMirror t = d.getTypeArguments().get(0);
                return t.getKind() == TypeKind.DECLARED ? types.erasure(t) : null;
            }
            TypeMirror found = judgedBy(s);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Whether {@code annotated} has {@code a} and it applies to {@code m} (a method's own one wins over its type's). */
    private boolean has(ExecutableElement m, Element annotated, boolean own,
            Class<? extends java.lang.annotation.Annotation> a) {
        return model.annotation(annotated, a) != null && (own || model.annotation(m, a) == null);
    }

    /**
     * The classes {@code @Retry.onResult}, {@code @Fallback.onResult} and {@code @Fallback.handler} name
     * (NamedClassRules: the runtime's words, javac's facts).
     */
    private void checkNamedClasses(Element e, String where, List<String> problems) {
        for (DeclaredType t : model.classes(e, Retry.class, "onResult")) {
            Rules.addAt(where, namedClassProblem("@Retry.onResult", t, NamedClassRules.PREDICATE), problems);
        }
        for (DeclaredType t : model.classes(e, Fallback.class, "onResult")) {
            Rules.addAt(where, namedClassProblem("@Fallback.onResult", t, NamedClassRules.PREDICATE), problems);
        }
        DeclaredType handler = model.classValue(e, Fallback.class, "handler");
        if (handler != null) {
            Rules.addAt(where, namedClassProblem("@Fallback.handler", handler, NamedClassRules.HANDLER), problems);
        }
    }

    private String namedClassProblem(String attribute, DeclaredType t, String contractName) {
        Types types = processingEnv.getTypeUtils();
        TypeElement type = (TypeElement) t.asElement();
        TypeElement contract = processingEnv.getElementUtils().getTypeElement(contractName);
        Set<Modifier> mods = type.getModifiers();
        // not getEnclosedElements: the class may come from a class file (TypeModel.declaredMembers)
        boolean noArg = javax.lang.model.util.ElementFilter.constructorsIn(
                TypeModel.declaredMembers(processingEnv.getElementUtils(), type)).stream()
                .anyMatch(c -> c.getParameters().isEmpty() && c.getModifiers().contains(Modifier.PUBLIC));
        return NamedClassRules.problem(attribute, model.binaryName(t), contractName,
                contract == null || types.isAssignable(types.erasure(t), types.erasure(contract.asType())),
                type.getKind() == ElementKind.INTERFACE, mods.contains(Modifier.ABSTRACT),
                type.getNestingKind() != javax.lang.model.element.NestingKind.TOP_LEVEL
                        && !mods.contains(Modifier.STATIC), mods.contains(Modifier.PUBLIC), noArg);
    }

    private void checkFallbackTargets(Element e, String where, TypeElement contract, List<String> problems) {
        Types types = processingEnv.getTypeUtils();
        Set<String> seen = new HashSet<>();
        for (DeclaredType alt : model.classes(e, Fallback.class, "to")) {
            String name = model.binaryName(alt);
            if (e.getKind() == ElementKind.METHOD && alt.asElement().equals(e.getEnclosingElement())
                    && e.getEnclosingElement().getKind() == ElementKind.CLASS) {
                // a class's own method-level @Fallback (a type-level list is shared: the runtime skips the class)
                problems.add(Rules.at(where, FallbackRules.isTheTarget("@Fallback.to", name)));
                continue;
            }
            if (!seen.add(name)) {
                problems.add(Rules.at(where, FallbackRules.listedTwice("@Fallback.to", name)));
            } else if (!types.isAssignable(types.erasure(alt), types.erasure(contract.asType()))) {
                problems.add(Rules.at(where, FallbackRules.doesNotImplement("@Fallback.to", name,
                        processingEnv.getElementUtils().getBinaryName(contract).toString())));
            } else if (e.getKind() == ElementKind.METHOD) {
                checkNonIdempotentAlternative((ExecutableElement) e, model.nonIdempotent(e), contract,
                        (TypeElement) alt.asElement(), problems);
                if (e.getEnclosingElement().getKind() == ElementKind.CLASS) {
                    checkCycle((TypeElement) e.getEnclosingElement(), (TypeElement) alt.asElement(),
                            (ExecutableElement) e, where, problems);
                }
            }
        }
    }

    /**
     * A {@code @Fallback} with no alternative and no handler that names failures or results to fall back
     * on ({@link FallbackRules#nothingToFallBackTo(List, String, String)}).
     */
    private void checkNothingToFallBackTo(Element e, String where, List<String> problems) {
        if (!model.values(e, Fallback.class, "to").isEmpty() || model.classValue(e, Fallback.class, "handler") != null) {
            return;
        }
        List<String> given = new ArrayList<>();
        for (String attribute : List.of("on", "skipOn", "onResult")) {
            if (!model.values(e, Fallback.class, attribute).isEmpty()) {
                given.add("@Fallback." + attribute);
            }
        }
        if (!given.isEmpty()) {
            problems.add(Rules.at(where, FallbackRules.nothingToFallBackTo(given, "@Fallback.to", "@Fallback.handler")));
        }
    }

    /**
     * The cycle an alternative of {@code primary}, a class, leads back through on {@code m}
     * ({@link FallbackRules#cycle}, edges the classes' own {@code @Fallback.to}).
     */
    private void checkCycle(TypeElement primary, TypeElement alt, ExecutableElement m, String where,
            List<String> problems) {
        List<TypeElement> cycle = FallbackRules.cycle(primary, alt, c -> model.ownTargets(c, m));
        if (cycle != null) {
            problems.add(Rules.at(where, FallbackRules.formsACycle("@Fallback.to",
                    cycle.stream().map(c -> c.getSimpleName().toString()).toList())));
        }
    }

    /**
     * A {@code @NonIdempotent} alternative of method {@code m} under a retry of more than one attempt that
     * names no failures, in the words the runtime gives it when it resolves the alternative: the retry it
     * runs is its own method's, else the contract method's, else its class's, else the contract's (the
     * runtime's order).
     */
    private void checkNonIdempotentAlternative(ExecutableElement m, boolean primaryNonIdempotent,
            TypeElement contract, TypeElement alt, List<String> problems) {
        ExecutableElement own = model.declaredIn(alt, m);
        if (own == null || !primaryNonIdempotent && !model.nonIdempotent(own)) {
            return; // the primary's @NonIdempotent counts for its alternatives too, as in the runtime
        }
        ExecutableElement contractMethod = model.declaredIn(contract, m);
        Element[] lookup = {own, contractMethod, alt, contract};
        for (Element where : lookup) {
            if (where != null && model.annotation(where, Retry.class) != null) {
                checkNonIdempotentRetry(where, model.describe(own, alt), problems);
                return;
            }
        }
    }

    /**
     * What would repeat the effect of a {@code @NonIdempotent} method under the {@code @Retry} of
     * {@code annotated} ({@link MethodRules#nonIdempotentRetry}), once that retry is valid: the runtime
     * applies no retry that has a problem of its own.
     */
    private void checkNonIdempotentRetry(Element annotated, String where, List<String> problems) {
        Retry retry = model.annotation(annotated, Retry.class);
        List<FailureType> on = model.failureTypes(annotated, Retry.class, "on");
        List<FailureType> abortOn = model.failureTypes(annotated, Retry.class, "abortOn");
        List<DeclaredType> onResult = model.classes(annotated, Retry.class, "onResult");
        if (!RetryRules.check(retry, on, abortOn).isEmpty() || onResult.stream()
                .anyMatch(t -> namedClassProblem("@Retry.onResult", t, NamedClassRules.PREDICATE) != null)) {
            return;
        }
        Rules.addAt(where, MethodRules.nonIdempotentRetry(MethodRules.RetryAttributes.ANNOTATION, retry.attempts(),
                on, abortOn, !onResult.isEmpty(), retry.attemptTimeout() > 0), problems);
    }

    /** The same for the {@code @Fallback} of {@code annotated} ({@link MethodRules#nonIdempotentFallback}). */
    private void checkNonIdempotentFallback(Element annotated, String where, List<String> problems) {
        Rules.addAt(where, MethodRules.nonIdempotentFallback("@Fallback",
                !model.values(annotated, Fallback.class, "to").isEmpty(),
                !model.values(annotated, Fallback.class, "on").isEmpty(), "@Fallback.on",
                !model.values(annotated, Fallback.class, "onResult").isEmpty(), "@Fallback.onResult"), problems);
    }

    /**
     * The {@code @Retry} and {@code @Fallback} of {@code type} on {@code m}, a method they reach (its own or
     * an overridden method's annotation wins; a deferred result is skipped), when {@code m} is
     * {@code @NonIdempotent}, named as the runtime names it ({@code where}); and the alternatives of the
     * type's {@code @Fallback}, when {@code contract} (the annotated interface, or for a class the one
     * {@code m} is called through) is known: their own retry, and for a class, the cycle they lead back
     * through, as a method-level {@code @Fallback}'s.
     */
    private void checkTypePolicyReached(ExecutableElement m, TypeElement type, TypeElement contract, String where,
            List<String> problems) {
        if (model.deferredResult(m.getReturnType()) != null) {
            return; // type-level policies skip a method whose failures arrive after it returns
        }
        boolean nonIdempotent = model.nonIdempotent(m, type);
        if (nonIdempotent && model.annotation(type, Retry.class) != null && !model.onMethod(m, type, Retry.class)) {
            checkNonIdempotentRetry(type, where, problems);
        }
        if (model.annotation(type, Fallback.class) == null || model.onMethod(m, type, Fallback.class)) {
            return;
        }
        if (nonIdempotent) {
            checkNonIdempotentFallback(type, where, problems);
        }
        if (contract != null) {
            Types types = processingEnv.getTypeUtils();
            for (DeclaredType alt : model.classes(type, Fallback.class, "to")) {
                TypeElement altType = (TypeElement) alt.asElement();
                // a type-level list may name the class itself, which the runtime skips
                if (!altType.equals(type) && types.isAssignable(types.erasure(alt), types.erasure(contract.asType()))) {
                    checkNonIdempotentAlternative(m, nonIdempotent, contract, altType, problems);
                    if (type.getKind() == ElementKind.CLASS) {
                        checkCycle(type, altType, m, where, problems);
                    }
                }
            }
        }
    }

    /**
     * A retry budget defined twice in this compilation with other values (the runtime also sees the
     * budgets of other jars and of builders). An unnamed budget is the interface's.
     */
    private void checkBudget(Retry retry, TypeElement contract, String where, List<String> problems) {
        if (retry.budgetRatio() == 0 || retry.budget().isBlank() && contract == null) {
            return;
        }
        String name = retry.budget().isBlank() ? model.binaryName(contract.asType()) : retry.budget().strip();
        Budget first = budgets.putIfAbsent(name, new Budget(retry.budgetRatio(), retry.budgetMinPerSecond()));
        if (first != null && !first.equals(new Budget(retry.budgetRatio(), retry.budgetMinPerSecond()))) {
            problems.add(Rules.at(where, RetryRules.budgetDefinedOtherwise("@Retry.budget", name, first.ratio(),
                    first.minPerSecond(), retry.budgetRatio(), retry.budgetMinPerSecond())));
        }
    }

    private record Budget(double ratio, int minPerSecond) {
    }

    /**
     * A rate limit key defined twice in this compilation with other limits (the runtime also sees the keys
     * of other jars and of builders). An unnamed key is the interface's; one on a class is checked at bind
     * only, since it is the interface's when the class is called as the primary and the class's own when it
     * is called as an alternative.
     */
    private void checkRateLimitKey(RateLimit limit, Element e, TypeElement contract, String where,
            List<String> problems) {
        boolean ofInterface = e.getKind() == ElementKind.INTERFACE
                || e.getKind() == ElementKind.METHOD && e.getEnclosingElement().getKind() == ElementKind.INTERFACE;
        if (limit.key().isEmpty() && (!ofInterface || contract == null)) {
            return;
        }
        String key = limit.key().isEmpty() ? model.binaryName(contract.asType()) : limit.key();
        Limits first = rateLimits.putIfAbsent(key, new Limits(limit.requestsPerMinute(), limit.tokensPerMinute()));
        if (first != null) {
            Rules.addAt(where, RateLimitRules.conflict("@RateLimit.key", key, limit.requestsPerMinute(),
                    limit.tokensPerMinute(), first.requestsPerMinute(), first.tokensPerMinute()), problems);
        }
    }

    private record Limits(long requestsPerMinute, long tokensPerMinute) {
    }

    /** The type an element belongs to, for a stable order: a budget's first definition is the same on every build. */
    private static String typeName(Element e) {
        Element type = e instanceof TypeElement ? e : e.getEnclosingElement();
        return ((TypeElement) type).getQualifiedName().toString();
    }

    /** Whether this compilation is ajc's (its annotation processing is Eclipse's, inside AspectJ). */
    private boolean underAjc() {
        return processingEnv.getClass().getName().startsWith("org.aspectj.");
    }

    private static int position(Element e) {
        return e instanceof TypeElement ? -1 : e.getEnclosingElement().getEnclosedElements().indexOf(e);
    }

    private static boolean suppressed(Element e) {
        for (Element c = e; c != null; c = c.getEnclosingElement()) {
            SuppressWarnings sw = c.getAnnotation(SuppressWarnings.class);
            if (sw != null && List.of(sw.value()).contains("rebound")) {
                return true;
            }
        }
        return false;
    }
}
