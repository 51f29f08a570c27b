package dev.rebound.weaver.processor;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.NonIdempotent;
import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.MethodRules;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;


/**
 * What the processor needs to know about the user's code, read from javac's element model: annotation
 * values as written, failure types, result types, the contract a method comes from, the alternatives a
 * class falls back to. The rules themselves are the runtime's ({@link dev.rebound.runtime.rules}).
 */
final class TypeModel {

    private final ProcessingEnvironment processingEnv;

    TypeModel(ProcessingEnvironment processingEnv) {
        this.processingEnv = processingEnv;
    }

    /**
     * The members {@code type} itself declares (methods, constructors, fields, nested types), in no set order; for
     * a type that may come from a class file (a supertype, a class an annotation names), in place of
     * {@code type.getEnclosedElements()}. ajc's (Eclipse's) sorts them by their source position, and on a
     * class-file type that has a nested type ({@code Thread.State}, {@code Map.Entry}, {@code Proxy}'s builder, a
     * jar's class with one) throws a NullPointerException of its own, an internal compiler error that names
     * neither the class nor Rebound (AspectJ's BinaryTypeBinding extends SourceTypeBinding, whose null scope the
     * sort reads). getAllMembers does not sort, and holds every member the type declares, under javac too.
     */
    static List<Element> declaredMembers(Elements elements, TypeElement type) {
        List<Element> own = new ArrayList<>();
        for (Element e : elements.getAllMembers(type)) {
            if (type.equals(e.getEnclosingElement())) {
                own.add(e);
            }
        }
        return own;
    }

    /** The methods {@code type} itself declares, as {@link #declaredMembers} finds them. */
    List<ExecutableElement> declaredMethods(TypeElement type) {
        return ElementFilter.methodsIn(declaredMembers(processingEnv.getElementUtils(), type));
    }

    /**
     * {@code @NonIdempotent} on the element, its type, or a method it overrides and that method's type:
     * where the runtime finds it too.
     */
    boolean nonIdempotent(Element e) {
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
            for (ExecutableElement other : declaredMethods(type)) {
                if (processingEnv.getElementUtils().overrides((ExecutableElement) e, other, owner)
                        && (marked(other) || marked(type))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code m}, a method that {@code type}'s policies reach (declared or inherited), is
     * {@code @NonIdempotent} there: on itself or what it overrides ({@link #nonIdempotent(Element)}), on
     * {@code type}, or on a supertype of {@code type} that {@code m} is a member of.
     */
    boolean nonIdempotent(ExecutableElement m, TypeElement type) {
        if (nonIdempotent(m) || marked(type)) {
            return true;
        }
        Types types = processingEnv.getTypeUtils();
        TypeMirror owner = types.erasure(m.getEnclosingElement().asType());
        for (TypeElement s : supertypes(type)) {
            if (marked(s) && types.isSubtype(types.erasure(s.asType()), owner)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code m}, a member of {@code type}, or a method of {@code type}'s supertypes that it
     * overrides carries {@code annotation}: a method-level annotation wins over every type-level one.
     */
    boolean onMethod(ExecutableElement m, TypeElement type, Class<? extends java.lang.annotation.Annotation> annotation) {
        if (annotation(m, annotation) != null) {
            return true;
        }
        for (TypeElement s : supertypes(type)) {
            for (ExecutableElement other : declaredMethods(s)) {
                if (annotation(other, annotation) != null
                        && processingEnv.getElementUtils().overrides(m, other, type)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code type}, its interfaces and its superclasses. */
    private Set<TypeElement> supertypes(TypeElement type) {
        Set<TypeElement> out = new LinkedHashSet<>();
        out.add(type);
        interfaces(type, out);
        for (TypeElement k = superclass(type); k != null; k = superclass(k)) {
            out.add(k);
        }
        return out;
    }

    private static boolean marked(Element e) {
        return e.getAnnotation(NonIdempotent.class) != null;
    }

    /**
     * {@code e}'s annotation {@code a} as {@code getAnnotation} gives it (a class's inherited one too); null
     * when absent, or when a class it names does not resolve: javac cannot make the annotation then (it
     * fails on an unresolved class in a class-array value), and that class is javac's own error
     * ("cannot find symbol") or one a later round generates.
     */
    <A extends java.lang.annotation.Annotation> A annotation(Element e, Class<A> a) {
        for (AnnotationMirror mirror : processingEnv.getElementUtils().getAllAnnotationMirrors(e)) {
            if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().contentEquals(a.getName())) {
                return unresolved(mirror) ? null : e.getAnnotation(a);
            }
        }
        return null;
    }

    /**
     * Whether {@code type}, or a type nested in it, names a type that does not resolve (yet) where the
     * processor reads: a class a Rebound annotation names, a supertype, a type in a method's signature
     * (an interface's inherited methods too). Another processor may generate it in this round, to be read
     * in the next; else it is javac's own error, which the processor leaves to javac.
     */
    boolean unresolved(TypeElement type) {
        if (unresolvedAnnotation(type) || holdsError(type.getSuperclass())
                || type.getInterfaces().stream().anyMatch(TypeModel::holdsError)
                || type.getTypeParameters().stream().anyMatch(p -> p.getBounds().stream().anyMatch(TypeModel::holdsError))) {
            return true;
        }
        List<? extends Element> members = type.getKind() == ElementKind.INTERFACE
                ? processingEnv.getElementUtils().getAllMembers(type) : type.getEnclosedElements();
        for (ExecutableElement m : ElementFilter.methodsIn(members)) {
            List<TypeMirror> signature = new ArrayList<>(List.of(m.getReturnType()));
            m.getParameters().forEach(p -> signature.add(p.asType()));
            signature.addAll(m.getThrownTypes());
            m.getTypeParameters().forEach(p -> signature.addAll(p.getBounds()));
            if (unresolvedAnnotation(m) || signature.stream().anyMatch(TypeModel::holdsError)) {
                return true;
            }
        }
        return ElementFilter.typesIn(type.getEnclosedElements()).stream().anyMatch(this::unresolved);
    }

    /** Whether a Rebound annotation on {@code e} names a class that does not resolve. */
    private boolean unresolvedAnnotation(Element e) {
        return processingEnv.getElementUtils().getAllAnnotationMirrors(e).stream()
                .filter(a -> ((TypeElement) a.getAnnotationType().asElement()).getQualifiedName().toString()
                        .startsWith("dev.rebound.annotations."))
                .anyMatch(TypeModel::unresolved);
    }

    /**
     * Whether a class or class-array value of {@code mirror} is not a resolved type: javac gives an
     * unresolved class as an error type, or in an array as the string {@code "<error>"}.
     */
    private static boolean unresolved(AnnotationMirror mirror) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> attr
                : mirror.getElementValues().entrySet()) {
            TypeMirror member = attr.getKey().getReturnType();
            if (member.getKind() == TypeKind.ARRAY) {
                member = ((ArrayType) member).getComponentType();
            }
            if (member.getKind() != TypeKind.DECLARED || !((TypeElement) ((DeclaredType) member).asElement())
                    .getQualifiedName().contentEquals("java.lang.Class")) {
                continue;
            }
            List<?> values = attr.getValue().getValue() instanceof List<?> list ? list : List.of(attr.getValue());
            for (Object v : values) {
                if (!(((AnnotationValue) v).getValue() instanceof TypeMirror t) || t.getKind() == TypeKind.ERROR) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code t} is or holds an error type (a type variable's bounds are checked where it is declared). */
    private static boolean holdsError(TypeMirror t) {
        switch (t.getKind()) {
            case ERROR:
                return true;
            case ARRAY:
                return holdsError(((ArrayType) t).getComponentType());
            case DECLARED:
                return ((DeclaredType) t).getTypeArguments().stream().anyMatch(TypeModel::holdsError);
            case WILDCARD: {
                javax.lang.model.type.WildcardType w = (javax.lang.model.type.WildcardType) t;
                return w.getExtendsBound() != null && holdsError(w.getExtendsBound())
                        || w.getSuperBound() != null && holdsError(w.getSuperBound());
            }
            case INTERSECTION:
                return ((javax.lang.model.type.IntersectionType) t).getBounds().stream().anyMatch(TypeModel::holdsError);
            default:
                return false;
        }
    }

    /** The values of the array {@code member} of {@code annotation} on {@code e}, as written (none if absent). */
    List<AnnotationValue> values(Element e, Class<?> annotation, String member) {
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

    /** The declared type a single class member names, or null (absent, {@code void.class}, unresolved). */
    DeclaredType classValue(Element e, Class<?> annotation, String member) {
        for (AnnotationMirror mirror : e.getAnnotationMirrors()) {
            if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName()
                    .contentEquals(annotation.getName())) {
                for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> attr
                        : mirror.getElementValues().entrySet()) {
                    if (attr.getKey().getSimpleName().contentEquals(member)
                            && attr.getValue().getValue() instanceof TypeMirror t && t.getKind() == TypeKind.DECLARED) {
                        return (DeclaredType) t;
                    }
                }
            }
        }
        return null;
    }

    /** The declared types a class-array member lists (unresolved ones are javac's own errors). */
    List<DeclaredType> classes(Element e, Class<?> annotation, String member) {
        List<DeclaredType> out = new ArrayList<>();
        for (AnnotationValue v : values(e, annotation, member)) {
            if (v.getValue() instanceof TypeMirror t && t.getKind() == TypeKind.DECLARED) {
                out.add((DeclaredType) t);
            }
        }
        return out;
    }

    /** The failure types a class-array member lists, each with its superclasses' names, nearest first. */
    List<FailureType> failureTypes(Element e, Class<?> annotation, String member) {
        List<FailureType> out = new ArrayList<>();
        for (DeclaredType t : classes(e, annotation, member)) {
            List<String> superclasses = new ArrayList<>();
            TypeMirror s = ((TypeElement) t.asElement()).getSuperclass();
            while (s.getKind() == TypeKind.DECLARED) {
                superclasses.add(binaryName(s));
                s = ((TypeElement) ((DeclaredType) s).asElement()).getSuperclass();
            }
            out.add(new FailureType(binaryName(t), superclasses));
        }
        return out;
    }

    /** The simple name of {@code returned} when it is a deferred result (a future, a stream), else null. */
    String deferredResult(TypeMirror returned) {
        if (returned.getKind() != TypeKind.DECLARED || MethodRules.isAsyncResult(binaryName(returned))) {
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

    /** Whether {@code m} returns exactly {@code CompletionStage} or {@code CompletableFuture}: its chain runs asynchronously. */
    boolean returnsAsync(ExecutableElement m) {
        TypeMirror r = m.getReturnType();
        return r.getKind() == TypeKind.DECLARED && MethodRules.isAsyncResult(binaryName(r));
    }

    /**
     * Whether {@code m} streams: returns void and takes a langchain4j {@code StreamingChatResponseHandler}
     * (false when langchain4j is not on the compilation's class path).
     */
    boolean streams(ExecutableElement m) {
        if (m.getReturnType().getKind() != TypeKind.VOID) {
            return false;
        }
        TypeElement handler = processingEnv.getElementUtils().getTypeElement(MethodRules.STREAM_HANDLER);
        if (handler == null) {
            return false;
        }
        javax.lang.model.util.Types types = processingEnv.getTypeUtils();
        TypeMirror h = types.erasure(handler.asType());
        return m.getParameters().stream().anyMatch(p -> types.isAssignable(types.erasure(p.asType()), h));
    }

    /**
     * The simple name of {@code m}'s result type when {@code m} takes a langchain4j
     * {@code StreamingChatResponseHandler} but does not return void (no streamed call:
     * {@link MethodRules#handlerWithResult}); else null (and when langchain4j is not on the class path).
     */
    String returnsWithStreamHandler(ExecutableElement m) {
        if (m.getReturnType().getKind() == TypeKind.VOID) {
            return null;
        }
        TypeElement handler = processingEnv.getElementUtils().getTypeElement(MethodRules.STREAM_HANDLER);
        if (handler == null) {
            return null;
        }
        Types types = processingEnv.getTypeUtils();
        TypeMirror h = types.erasure(handler.asType());
        return m.getReturnType().getKind() != TypeKind.ERROR && m.getParameters().stream()
                .map(p -> types.erasure(p.asType()))
                .anyMatch(p -> p.getKind() == TypeKind.DECLARED && types.isAssignable(p, h)) // javac's error types pass any test
                ? simpleName(m.getReturnType()) : null;
    }

    /**
     * The simple name of the type of {@code m}'s streaming handler parameter (the last one that is a
     * langchain4j {@code StreamingChatResponseHandler}, as the runtime reads it) when it is a subtype of
     * that interface, not the interface itself ({@link MethodRules#narrowedStreamHandler}); else null.
     * Only for a method that {@link #streams}.
     */
    String narrowedHandler(ExecutableElement m) {
        TypeElement handler = processingEnv.getElementUtils().getTypeElement(MethodRules.STREAM_HANDLER);
        Types types = processingEnv.getTypeUtils();
        TypeMirror h = types.erasure(handler.asType());
        List<? extends VariableElement> params = m.getParameters();
        for (int i = params.size() - 1; i >= 0; i--) {
            TypeMirror p = types.erasure(params.get(i).asType());
            if (types.isAssignable(p, h)) {
                return types.isSameType(p, h) ? null : simpleName(p);
            }
        }
        return null;
    }

    /**
     * The alternatives {@code c} itself (not an interface) lists for {@code m}: on its own or a
     * superclass's method, else on its type; as the runtime follows them when it looks for cycles.
     */
    List<TypeElement> ownTargets(TypeElement c, ExecutableElement m) {
        for (TypeElement k = c; k != null; k = superclass(k)) {
            for (ExecutableElement own : declaredMethods(k)) {
                if (sameSignature(own, m) && annotation(own, Fallback.class) != null) {
                    return elements(classes(own, Fallback.class, "to"));
                }
            }
        }
        if (c.getKind() == ElementKind.INTERFACE) {
            return List.of();
        }
        for (TypeElement k = c; k != null; k = superclass(k)) {
            if (annotation(k, Fallback.class) != null) {
                return elements(classes(k, Fallback.class, "to"));
            }
        }
        return List.of();
    }

    /** The method of {@code c} or a superclass of it with {@code m}'s name and erased parameters; null for none. */
    ExecutableElement declaredIn(TypeElement c, ExecutableElement m) {
        for (TypeElement k = c; k != null; k = superclass(k)) {
            for (ExecutableElement own : declaredMethods(k)) {
                if (sameSignature(own, m)) {
                    return own;
                }
            }
        }
        return null;
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
     * The type the alternatives must implement and that scopes a budget or rate limit key, by the runtime's rule
     * ({@code AnnotationLookup.contractOf}): an interface's method belongs to the interface; a class's method to
     * the most specific interface where a policy for it is written (on the interface's own declaration of the
     * method, or on its type), nearest first; without one (the policy is the class's), to the first interface
     * of the class through which the method is callable (the class's own, in the order of its {@code
     * implements} clause, then its superclasses', then theirs, breadth first), else to the topmost class that
     * declares it. Null for a class-level annotation: each method's contract differs, checked at run time.
     */
    TypeElement contractOf(Element e) {
        if (e.getKind() == ElementKind.INTERFACE) {
            return (TypeElement) e;
        }
        if (e.getKind() != ElementKind.METHOD) {
            return null; // a class-level @Fallback: each method's contract differs; checked at run time
        }
        TypeElement owner = (TypeElement) e.getEnclosingElement();
        return owner.getKind() == ElementKind.INTERFACE ? owner : contractOf((ExecutableElement) e, owner);
    }

    /**
     * As {@link #contractOf(Element)} for {@code m}, a method the class {@code owner} declares or inherits
     * (from a superclass, or a default method from an interface): what a type-level policy of {@code owner}
     * that reaches it names it after.
     */
    TypeElement contractOf(ExecutableElement m, TypeElement owner) {
        TypeElement written = nearestWithPolicy(owner, m);
        if (written != null) {
            return written;
        }
        for (TypeElement itf : interfacesNearestFirst(owner)) {
            if (callableThrough(itf, m, owner)) {
                return itf;
            }
        }
        TypeElement top = (TypeElement) m.getEnclosingElement();
        for (TypeElement k = superclass(top); k != null && !k.getQualifiedName().contentEquals("java.lang.Object");
                k = superclass(k)) {
            for (ExecutableElement other : declaredMethods(k)) {
                if (processingEnv.getElementUtils().overrides(m, other, owner)) {
                    top = k;
                }
            }
        }
        return top;
    }

    /**
     * The most specific interface of {@code owner} where a policy for {@code m} is written, on its own
     * declaration of a method {@code m} is or overrides, or on its type (then {@code m} must be callable
     * through it), in the runtime's order ({@link #interfacesNearestFirst}). Null when there is none.
     */
    private TypeElement nearestWithPolicy(TypeElement owner, ExecutableElement m) {
        List<TypeElement> found = new ArrayList<>();
        for (TypeElement itf : interfacesNearestFirst(owner)) {
            if (callableThrough(itf, m, owner) && (carriesPolicy(itf) || declaredMethods(itf)
                    .stream().anyMatch(other -> is(m, other, owner) && carriesPolicy(other)))) {
                found.add(itf);
            }
        }
        Types types = processingEnv.getTypeUtils();
        found.removeIf(c -> found.stream().anyMatch(sub -> sub != c
                && types.isSubtype(types.erasure(sub.asType()), types.erasure(c.asType()))));
        return found.isEmpty() ? null : found.get(0);
    }

    /** Whether {@code m}, a method of the class {@code owner}, is callable through {@code itf}: it or one it overrides is a member of it. */
    private boolean callableThrough(TypeElement itf, ExecutableElement m, TypeElement owner) {
        for (TypeElement s : interfaces(itf, new LinkedHashSet<>(List.of(itf)))) {
            for (ExecutableElement other : declaredMethods(s)) {
                if (is(m, other, owner)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code m} is {@code other} or overrides it in {@code owner}. */
    private boolean is(ExecutableElement m, ExecutableElement other, TypeElement owner) {
        return m.equals(other) || processingEnv.getElementUtils().overrides(m, other, owner);
    }

    /** As the runtime's {@code AnnotationLookup.allInterfaces}: breadth first, {@code c}'s own before its superclasses'. */
    private List<TypeElement> interfacesNearestFirst(TypeElement c) {
        Set<TypeElement> out = new LinkedHashSet<>();
        java.util.Deque<TypeElement> todo = new java.util.ArrayDeque<>();
        for (TypeElement k = c; k != null; k = superclass(k)) {
            k.getInterfaces().forEach(t -> todo.add((TypeElement) ((DeclaredType) t).asElement()));
        }
        while (!todo.isEmpty()) {
            TypeElement i = todo.poll();
            if (out.add(i)) {
                i.getInterfaces().forEach(t -> todo.add((TypeElement) ((DeclaredType) t).asElement()));
            }
        }
        return new ArrayList<>(out);
    }

    private boolean carriesPolicy(Element e) {
        return annotation(e, dev.rebound.annotations.Retry.class) != null || annotation(e, Fallback.class) != null
                || annotation(e, dev.rebound.annotations.CircuitBreaker.class) != null
                || annotation(e, dev.rebound.annotations.RateLimit.class) != null;
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

    String binaryName(TypeMirror t) {
        return processingEnv.getElementUtils()
                .getBinaryName((TypeElement) processingEnv.getTypeUtils().asElement(t)).toString();
    }

    /**
     * How a problem of the annotation {@code e} carries names it, by the runtime's rule ({@code
     * AnnotationLookup.carrierName}): a method as its type declares it ({@code Own.reply(String)} in {@code class
     * Own implements Replier<String>}, never the interface's name with the class's parameters); a type by its
     * simple name (each method a type-level annotation reaches is named by {@link #describe(Element,
     * TypeElement)} with the type).
     */
    String describe(Element e) {
        return e.getKind() == ElementKind.METHOD ? describe(e, (TypeElement) e.getEnclosingElement())
                : e.getSimpleName().toString();
    }

    /** {@code Chat.chat(String)}: {@code e}, a method, named after {@code owner}; a type by its simple name. */
    String describe(Element e, TypeElement owner) {
        if (e.getKind() != ElementKind.METHOD) {
            return e.getSimpleName().toString();
        }
        ExecutableElement m = (ExecutableElement) e;
        return owner.getSimpleName() + "." + m.getSimpleName() + m.getParameters().stream()
                .map(p -> simpleName(p.asType())).collect(Collectors.joining(", ", "(", ")"));
    }

    /**
     * The simple name of {@code t}'s erasure, as reflection names a parameter: {@code T} is {@code Object},
     * {@code <N extends Number> N} is {@code Number}, {@code String...} is {@code String[]}.
     */
    private String simpleName(TypeMirror t) {
        TypeMirror erased = processingEnv.getTypeUtils().erasure(t);
        if (erased.getKind() == TypeKind.ARRAY) {
            return simpleName(((ArrayType) erased).getComponentType()) + "[]";
        }
        if (erased.getKind() == TypeKind.DECLARED) {
            return ((DeclaredType) erased).asElement().getSimpleName().toString();
        }
        return erased.getKind().isPrimitive() ? erased.getKind().name().toLowerCase(java.util.Locale.ROOT)
                : erased.toString();
    }

}
