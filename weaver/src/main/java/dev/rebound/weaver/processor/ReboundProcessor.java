package dev.rebound.weaver.processor;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.NonIdempotent;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.rules.BreakerRules;
import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.FallbackRules;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.RetryRules;
import dev.rebound.runtime.rules.Rules;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;

/**
 * Rejects misconfigured {@code @Retry}, {@code @CircuitBreaker} and {@code @Fallback} at compile time,
 * with the runtime's rule set and so the runtime's words ({@link dev.rebound.runtime.rules}): every
 * bound of {@code @Retry} and {@code @CircuitBreaker}, failure lists that can never take effect, an
 * alternative that does not implement the interface, is listed twice or leads back in a cycle, a policy
 * on a method no door can intercept (non-public or static) or on one returning a deferred result (a
 * future, a stream), a retry or fallback on a {@code @NonIdempotent} method that names no safe failures.
 * Runs in javac (and ajc) from the weaver jar, for woven and Guice users alike; it loads no logging
 * framework. {@code @SuppressWarnings("rebound")} on an element or an enclosing type skips it. Whether an
 * alternative can be constructed is known only at run time (a container may provide it).
 */
@SupportedAnnotationTypes({"dev.rebound.annotations.Retry", "dev.rebound.annotations.Fallback",
    "dev.rebound.annotations.CircuitBreaker"})
public final class ReboundProcessor extends AbstractProcessor {

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        Set<Element> annotated = new LinkedHashSet<>(round.getElementsAnnotatedWith(Retry.class));
        annotated.addAll(round.getElementsAnnotatedWith(Fallback.class));
        annotated.addAll(round.getElementsAnnotatedWith(CircuitBreaker.class));
        for (Element e : annotated) {
            if (suppressed(e)) {
                continue;
            }
            for (String problem : problems(e)) {
                processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, problem, e);
            }
        }
        return false;
    }

    private List<String> problems(Element e) {
        List<String> problems = new ArrayList<>();
        TypeElement contract = contractOf(e);
        String where = describe(e, contract);
        boolean method = e.getKind() == ElementKind.METHOD;
        if (method) {
            Set<Modifier> mods = e.getModifiers();
            if (mods.contains(Modifier.STATIC)) {
                problems.add(Rules.at(where, MethodRules.notInstance()));
            } else if (e.getEnclosingElement().getKind() != ElementKind.INTERFACE && !mods.contains(Modifier.PUBLIC)) {
                problems.add(Rules.at(where, MethodRules.notPublic()));
            }
        }
        String deferred = method ? deferredResult(((ExecutableElement) e).getReturnType()) : null;
        boolean nonIdempotent = nonIdempotent(e);
        Retry retry = e.getAnnotation(Retry.class);
        if (retry != null) {
            List<String> found = RetryRules.check(retry, failureTypes(e, Retry.class, "on"),
                    failureTypes(e, Retry.class, "abortOn"));
            Rules.addAt(where, found, problems);
            if (found.isEmpty() && retry.attempts() > 1 && deferred != null) {
                problems.add(Rules.at(where, MethodRules.deferred("@Retry", deferred)));
            } else if (found.isEmpty() && nonIdempotent) {
                Rules.addAt(where, MethodRules.nonIdempotentRetry("@Retry", retry.attempts(),
                        !values(e, Retry.class, "on").isEmpty(), "@Retry.on"), problems);
            }
        }
        CircuitBreaker breaker = e.getAnnotation(CircuitBreaker.class);
        if (breaker != null) {
            Rules.addAt(where, BreakerRules.check(breaker, failureTypes(e, CircuitBreaker.class, "on"),
                    failureTypes(e, CircuitBreaker.class, "skipOn")), problems);
            if (deferred != null) {
                problems.add(Rules.at(where, MethodRules.deferred("@CircuitBreaker", deferred)));
            }
        }
        if (e.getAnnotation(Fallback.class) != null) {
            Rules.addAt(where, FailureType.problems("@Fallback.on", failureTypes(e, Fallback.class, "on"),
                    "@Fallback.skipOn", failureTypes(e, Fallback.class, "skipOn"), FailureType.Action.CAUGHT),
                    problems);
            if (contract != null) {
                checkFallbackTargets(e, where, contract, problems);
            }
            boolean hasAlternatives = !values(e, Fallback.class, "to").isEmpty();
            if (hasAlternatives && deferred != null) {
                problems.add(Rules.at(where, MethodRules.deferred("@Fallback", deferred)));
            } else if (nonIdempotent) {
                Rules.addAt(where, MethodRules.nonIdempotentFallback("@Fallback", hasAlternatives,
                        !values(e, Fallback.class, "on").isEmpty(), "@Fallback.on"), problems);
            }
        }
        return problems;
    }

    /**
     * {@code @NonIdempotent} on the element, its type, or a method it overrides and that method's type:
     * where the runtime finds it too.
     */
    private boolean nonIdempotent(Element e) {
        if (marked(e) || e.getKind() != ElementKind.METHOD) {
            return marked(e);
        }
        TypeElement owner = (TypeElement) e.getEnclosingElement();
        if (marked(owner)) {
            return true;
        }
        Set<TypeElement> supertypes = interfaces(owner, new LinkedHashSet<>());
        for (TypeElement k = superclass(owner); k != null; k = superclass(k)) {
            supertypes.add(k);
        }
        for (TypeElement type : supertypes) {
            for (ExecutableElement other : ElementFilter.methodsIn(type.getEnclosedElements())) {
                if (processingEnv.getElementUtils().overrides((ExecutableElement) e, other, owner)
                        && (marked(other) || marked(type))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean marked(Element e) {
        return e.getAnnotation(NonIdempotent.class) != null;
    }

    /** The values of the array {@code member} of {@code annotation} on {@code e}, as written (none if absent). */
    private static List<AnnotationValue> values(Element e, Class<?> annotation, String member) {
        for (AnnotationMirror mirror : e.getAnnotationMirrors()) {
            if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName()
                    .contentEquals(annotation.getName())) {
                for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> attr
                        : mirror.getElementValues().entrySet()) {
                    if (attr.getKey().getSimpleName().contentEquals(member)) {
                        @SuppressWarnings("unchecked")
                        List<AnnotationValue> list = (List<AnnotationValue>) attr.getValue().getValue();
                        return list;
                    }
                }
            }
        }
        return List.of();
    }

    /** The declared types a class-array member lists (unresolved ones are javac's own errors). */
    private static List<DeclaredType> classes(Element e, Class<?> annotation, String member) {
        List<DeclaredType> out = new ArrayList<>();
        for (AnnotationValue v : values(e, annotation, member)) {
            if (v.getValue() instanceof TypeMirror t && t.getKind() == TypeKind.DECLARED) {
                out.add((DeclaredType) t);
            }
        }
        return out;
    }

    private List<FailureType> failureTypes(Element e, Class<?> annotation, String member) {
        Types types = processingEnv.getTypeUtils();
        TypeMirror error = processingEnv.getElementUtils().getTypeElement("java.lang.Error").asType();
        TypeMirror interrupt = processingEnv.getElementUtils()
                .getTypeElement("java.lang.InterruptedException").asType();
        List<FailureType> out = new ArrayList<>();
        for (DeclaredType t : classes(e, annotation, member)) {
            out.add(new FailureType(binaryName(t), types.isSubtype(t, error), types.isSubtype(t, interrupt)));
        }
        return out;
    }

    /** The simple name of {@code returned} when it is a deferred result (a future, a stream), else null. */
    private String deferredResult(TypeMirror returned) {
        if (returned.getKind() != TypeKind.DECLARED) {
            return null;
        }
        List<TypeMirror> todo = new ArrayList<>(List.of(returned));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            TypeMirror t = todo.remove(todo.size() - 1);
            if (t.getKind() != TypeKind.DECLARED || !seen.add(binaryName(t))) {
                continue;
            }
            if (MethodRules.isDeferred(binaryName(t))) {
                return ((DeclaredType) returned).asElement().getSimpleName().toString();
            }
            todo.addAll(processingEnv.getTypeUtils().directSupertypes(t));
        }
        return null;
    }

    private void checkFallbackTargets(Element e, String where, TypeElement contract, List<String> problems) {
        Types types = processingEnv.getTypeUtils();
        Set<String> seen = new HashSet<>();
        for (DeclaredType alt : classes(e, Fallback.class, "to")) {
            String name = binaryName(alt);
            if (e.getKind() == ElementKind.METHOD && alt.asElement().equals(e.getEnclosingElement())
                    && e.getEnclosingElement().getKind() == ElementKind.CLASS) {
                continue; // a class never falls back to itself (type- or interface-level @Fallback)
            }
            if (!seen.add(name)) {
                problems.add(Rules.at(where, FallbackRules.listedTwice("@Fallback.to", name)));
            } else if (!types.isAssignable(types.erasure(alt), types.erasure(contract.asType()))) {
                problems.add(Rules.at(where, FallbackRules.doesNotImplement("@Fallback.to", name,
                        processingEnv.getElementUtils().getBinaryName(contract).toString())));
            } else if (e.getKind() == ElementKind.METHOD && e.getEnclosingElement().getKind() == ElementKind.CLASS) {
                TypeElement primary = (TypeElement) e.getEnclosingElement();
                List<TypeElement> cycle = FallbackRules.cycle(primary, (TypeElement) alt.asElement(),
                        c -> ownTargets(c, (ExecutableElement) e));
                if (cycle != null) {
                    problems.add(Rules.at(where, FallbackRules.formsACycle("@Fallback.to",
                            cycle.stream().map(c -> c.getSimpleName().toString()).toList())));
                }
            }
        }
    }

    /**
     * The alternatives {@code c} itself (not an interface) lists for {@code m}: on its own or a
     * superclass's method, else on its type; as the runtime follows them when it looks for cycles.
     */
    private List<TypeElement> ownTargets(TypeElement c, ExecutableElement m) {
        for (TypeElement k = c; k != null; k = superclass(k)) {
            for (ExecutableElement own : ElementFilter.methodsIn(k.getEnclosedElements())) {
                if (sameSignature(own, m) && own.getAnnotation(Fallback.class) != null) {
                    return elements(classes(own, Fallback.class, "to"));
                }
            }
        }
        if (c.getKind() == ElementKind.INTERFACE) {
            return List.of();
        }
        for (TypeElement k = c; k != null; k = superclass(k)) {
            if (k.getAnnotation(Fallback.class) != null) {
                return elements(classes(k, Fallback.class, "to"));
            }
        }
        return List.of();
    }

    private static List<TypeElement> elements(List<DeclaredType> types) {
        return types.stream().map(t -> (TypeElement) t.asElement()).toList();
    }

    private boolean sameSignature(ExecutableElement a, ExecutableElement b) {
        if (!a.getSimpleName().contentEquals(b.getSimpleName()) || a.getParameters().size() != b.getParameters().size()) {
            return false;
        }
        Types types = processingEnv.getTypeUtils();
        for (int i = 0; i < a.getParameters().size(); i++) {
            if (!types.isSameType(types.erasure(a.getParameters().get(i).asType()),
                    types.erasure(b.getParameters().get(i).asType()))) {
                return false;
            }
        }
        return true;
    }

    private TypeElement superclass(TypeElement type) {
        TypeMirror sup = type.getSuperclass();
        return sup.getKind() == TypeKind.DECLARED ? (TypeElement) ((DeclaredType) sup).asElement() : null;
    }

    /**
     * The type the alternatives must implement and that names the method in messages, as at run time:
     * the interface declaring the method, else the topmost class declaring it.
     */
    private TypeElement contractOf(Element e) {
        if (e.getKind() == ElementKind.INTERFACE) {
            return (TypeElement) e;
        }
        if (e.getKind() != ElementKind.METHOD) {
            return null; // a class-level @Fallback: each method's contract differs; checked at run time
        }
        ExecutableElement m = (ExecutableElement) e;
        TypeElement owner = (TypeElement) e.getEnclosingElement();
        if (owner.getKind() == ElementKind.INTERFACE) {
            return owner;
        }
        for (TypeElement itf : interfaces(owner, new LinkedHashSet<>())) {
            for (ExecutableElement other : ElementFilter.methodsIn(itf.getEnclosedElements())) {
                if (processingEnv.getElementUtils().overrides(m, other, owner)) {
                    return itf;
                }
            }
        }
        TypeElement top = owner;
        for (TypeElement k = superclass(owner); k != null; k = superclass(k)) {
            for (ExecutableElement other : ElementFilter.methodsIn(k.getEnclosedElements())) {
                if (!k.getQualifiedName().contentEquals("java.lang.Object")
                        && processingEnv.getElementUtils().overrides(m, other, owner)) {
                    top = k;
                }
            }
        }
        return top;
    }

    private Set<TypeElement> interfaces(TypeElement type, Set<TypeElement> out) {
        for (TypeMirror t : type.getInterfaces()) {
            TypeElement itf = (TypeElement) processingEnv.getTypeUtils().asElement(t);
            if (out.add(itf)) {
                interfaces(itf, out);
            }
        }
        TypeElement sup = superclass(type);
        if (sup != null) {
            interfaces(sup, out);
        }
        return out;
    }

    private String binaryName(TypeMirror t) {
        return processingEnv.getElementUtils()
                .getBinaryName((TypeElement) processingEnv.getTypeUtils().asElement(t)).toString();
    }

    /** {@code Chat.chat(String)}, named after its contract as the runtime does, or the type's simple name. */
    private static String describe(Element e, TypeElement contract) {
        if (e.getKind() != ElementKind.METHOD) {
            return e.getSimpleName().toString();
        }
        ExecutableElement m = (ExecutableElement) e;
        return contract.getSimpleName() + "." + m.getSimpleName() + m.getParameters().stream()
                .map(p -> simpleName(p.asType())).collect(Collectors.joining(", ", "(", ")"));
    }

    private static String simpleName(TypeMirror t) {
        String s = t.toString().replaceAll("<.*>", "");
        return s.substring(s.lastIndexOf('.') + 1);
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
