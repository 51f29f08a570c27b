package dev.rebound.weaver.processor;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.NonIdempotent;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.internal.AnnotationPolicies;
import dev.rebound.runtime.internal.Repetition;
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
import javax.lang.model.type.MirroredTypesException;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic;

/**
 * Rejects misconfigured {@code @Retry} / {@code @Fallback} at compile time, with the same messages as
 * the runtime: attempts outside 1..100 and the other {@code @Retry} bounds, an alternative that does
 * not implement the interface or is listed twice, an annotation on a method no door can intercept
 * (non-public or static), a retry or fallback on a {@code @NonIdempotent} method that names no safe
 * failures. Runs in javac (and ajc) from the weaver jar, for woven and Guice users alike.
 * {@code @SuppressWarnings("rebound")} on an element or an enclosing type skips it. Whether an
 * alternative can be constructed is known only at run time (a container may provide it).
 */
@SupportedAnnotationTypes({"dev.rebound.annotations.Retry", "dev.rebound.annotations.Fallback"})
public final class ReboundProcessor extends AbstractProcessor {

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        Set<Element> annotated = new LinkedHashSet<>(round.getElementsAnnotatedWith(Retry.class));
        annotated.addAll(round.getElementsAnnotatedWith(Fallback.class));
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
        String where = describe(e);
        if (e.getKind() == ElementKind.METHOD) {
            Set<Modifier> mods = e.getModifiers();
            boolean inInterface = e.getEnclosingElement().getKind() == ElementKind.INTERFACE;
            if (mods.contains(Modifier.STATIC)) {
                problems.add(where + ": @Retry and @Fallback apply to instance methods only");
            } else if (!inInterface && !mods.contains(Modifier.PUBLIC)) {
                problems.add(where + ": @Retry and @Fallback apply to public methods only");
            }
        }
        Retry retry = e.getAnnotation(Retry.class);
        if (retry != null) {
            try {
                AnnotationPolicies.toPolicy(retry, where, problems);
            } catch (MirroredTypesException classValuedAttribute) {
                // the bounds were valid; on/abortOn are classes, not readable here and not checked
            }
        }
        checkNamedClasses(e, where, problems);
        TypeElement contract = contractOf(e);
        if (contract != null) {
            checkFallbackTargets(e, where, contract, problems);
        }
        if (problems.isEmpty() && nonIdempotent(e)) {
            if (retry != null && retry.attempts() > 1 && attributeEmpty(e, Retry.class, "on")) {
                problems.add(Repetition.nonIdempotentProblem(where, "@Retry(attempts = " + retry.attempts() + ")",
                        "@Retry.on"));
            }
            if (!attributeEmpty(e, Fallback.class, "to") && attributeEmpty(e, Fallback.class, "on")) {
                problems.add(Repetition.nonIdempotentProblem(where, "@Fallback", "@Fallback.on"));
            }
        }
        return problems;
    }

    /** {@code @NonIdempotent} on the element or its enclosing type (the cases visible in one file). */
    private static boolean nonIdempotent(Element e) {
        return e.getAnnotation(NonIdempotent.class) != null
                || e.getKind() == ElementKind.METHOD && e.getEnclosingElement().getAnnotation(NonIdempotent.class) != null;
    }

    /** Whether {@code annotation} on {@code e} leaves the array {@code attribute} empty (or is absent). */
    private static boolean attributeEmpty(Element e, Class<?> annotation, String attribute) {
        for (AnnotationMirror mirror : e.getAnnotationMirrors()) {
            if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName()
                    .contentEquals(annotation.getName())) {
                for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> attr
                        : mirror.getElementValues().entrySet()) {
                    if (attr.getKey().getSimpleName().contentEquals(attribute)) {
                        return ((List<?>) attr.getValue().getValue()).isEmpty();
                    }
                }
            }
        }
        return true;
    }

    private void checkFallbackTargets(Element e, String where, TypeElement contract, List<String> problems) {
        for (AnnotationMirror mirror : e.getAnnotationMirrors()) {
            if (!((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName()
                    .contentEquals(Fallback.class.getName())) {
                continue;
            }
            Set<String> seen = new HashSet<>();
            for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> attr
                    : mirror.getElementValues().entrySet()) {
                if (!attr.getKey().getSimpleName().contentEquals("to")) {
                    continue;
                }
                for (Object v : (List<?>) attr.getValue().getValue()) {
                    TypeMirror alt = (TypeMirror) ((AnnotationValue) v).getValue();
                    if (alt.getKind() != TypeKind.DECLARED) {
                        continue;
                    }
                    String name = binaryName(alt);
                    if (!seen.add(name)) {
                        problems.add(where + ": @Fallback.to lists " + name + " more than once");
                    } else if (!processingEnv.getTypeUtils().isAssignable(
                            processingEnv.getTypeUtils().erasure(alt),
                            processingEnv.getTypeUtils().erasure(contract.asType()))) {
                        problems.add(where + ": @Fallback.to " + name + " does not implement "
                                + processingEnv.getElementUtils().getBinaryName(contract));
                    }
                }
            }
        }
    }

    /**
     * The classes {@code @Retry.onResult}, {@code @Fallback.onResult} and {@code @Fallback.handler} name:
     * each implements its contract and is made with a public no-argument constructor (the words of
     * the runtime's ResultAndHandlerRules).
     */
    private void checkNamedClasses(Element e, String where, List<String> problems) {
        for (AnnotationMirror mirror : e.getAnnotationMirrors()) {
            String annotation = ((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().toString();
            String prefix = annotation.equals(Retry.class.getName()) ? "@Retry."
                    : annotation.equals(Fallback.class.getName()) ? "@Fallback." : null;
            if (prefix == null) {
                continue;
            }
            for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> attr
                    : mirror.getElementValues().entrySet()) {
                String member = attr.getKey().getSimpleName().toString();
                String contract = member.equals("onResult") ? "java.util.function.Predicate"
                        : member.equals("handler") && prefix.equals("@Fallback.") ? "dev.rebound.runtime.FallbackHandler"
                        : null;
                if (contract == null) {
                    continue;
                }
                Object value = attr.getValue().getValue();
                List<?> values = value instanceof List ? (List<?>) value : List.of(attr.getValue());
                for (Object v : values) {
                    TypeMirror t = (TypeMirror) ((AnnotationValue) v).getValue();
                    if (t.getKind() != TypeKind.DECLARED) {
                        continue; // void.class: none
                    }
                    String problem = namedClassProblem(prefix + member, t, contract);
                    if (problem != null) {
                        problems.add(where + ": " + problem);
                    }
                }
            }
        }
    }

    private String namedClassProblem(String attribute, TypeMirror t, String contractName) {
        var types = processingEnv.getTypeUtils();
        TypeElement type = (TypeElement) types.asElement(t);
        TypeElement contract = processingEnv.getElementUtils().getTypeElement(contractName);
        String name = binaryName(t);
        if (contract != null && !types.isAssignable(types.erasure(t), types.erasure(contract.asType()))) {
            return attribute + " " + name + " does not implement " + contractName;
        }
        Set<javax.lang.model.element.Modifier> modifiers = type.getModifiers();
        if (type.getKind() == ElementKind.INTERFACE || modifiers.contains(javax.lang.model.element.Modifier.ABSTRACT)) {
            return attribute + " " + name + " is abstract";
        }
        if (!modifiers.contains(javax.lang.model.element.Modifier.PUBLIC)
                || type.getNestingKind() != javax.lang.model.element.NestingKind.TOP_LEVEL
                        && !modifiers.contains(javax.lang.model.element.Modifier.STATIC)) {
            return attribute + " " + name + " is not a public top-level or static nested class";
        }
        boolean noArg = javax.lang.model.util.ElementFilter.constructorsIn(type.getEnclosedElements()).stream()
                .anyMatch(c -> c.getParameters().isEmpty()
                        && c.getModifiers().contains(javax.lang.model.element.Modifier.PUBLIC));
        return noArg ? null : attribute + " " + name + " has no public no-argument constructor";
    }

    /** The type the alternatives must implement: the interface declaring the method, else its class. */
    private TypeElement contractOf(Element e) {
        if (e.getKind() == ElementKind.INTERFACE) {
            return (TypeElement) e;
        }
        if (e.getKind() != ElementKind.METHOD) {
            return null; // a class-level @Fallback: each method's contract differs; checked at run time
        }
        TypeElement owner = (TypeElement) e.getEnclosingElement();
        if (owner.getKind() == ElementKind.INTERFACE) {
            return owner;
        }
        for (TypeElement itf : interfaces(owner, new LinkedHashSet<>())) {
            for (ExecutableElement m : ElementFilter.methodsIn(itf.getEnclosedElements())) {
                if (processingEnv.getElementUtils().overrides((ExecutableElement) e, m, owner)) {
                    return itf;
                }
            }
        }
        return owner;
    }

    private Set<TypeElement> interfaces(TypeElement type, Set<TypeElement> out) {
        for (TypeMirror t : type.getInterfaces()) {
            TypeElement itf = (TypeElement) processingEnv.getTypeUtils().asElement(t);
            if (out.add(itf)) {
                interfaces(itf, out);
            }
        }
        TypeMirror sup = type.getSuperclass();
        if (sup.getKind() == TypeKind.DECLARED) {
            interfaces((TypeElement) processingEnv.getTypeUtils().asElement(sup), out);
        }
        return out;
    }

    private String binaryName(TypeMirror t) {
        return processingEnv.getElementUtils()
                .getBinaryName((TypeElement) processingEnv.getTypeUtils().asElement(t)).toString();
    }

    /** {@code Chat.chat(String)}, or the type's simple name for a type-level annotation. */
    private static String describe(Element e) {
        if (e.getKind() != ElementKind.METHOD) {
            return e.getSimpleName().toString();
        }
        ExecutableElement m = (ExecutableElement) e;
        return m.getEnclosingElement().getSimpleName() + "." + m.getSimpleName() + m.getParameters().stream()
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
