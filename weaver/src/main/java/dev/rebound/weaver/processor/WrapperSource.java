package dev.rebound.weaver.processor;

import dev.rebound.runtime.rules.MethodRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.ExecutableType;
import javax.lang.model.type.IntersectionType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.TypeVariable;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * The source of the class {@code Rebound.wrap} uses for one interface instead of a JDK proxy
 * ({@code app.Chat$$Rebound}, a {@code dev.rebound.runtime.spi.GeneratedWrapper}): each method of the
 * interface (inherited and default ones included) calls the target directly, in the door protocol of
 * {@code ResilientMethod}, and hands the engine a shared, non-capturing invoker for retries. Null for a
 * shape it cannot write exactly ({@link #of}); {@code Rebound.wrap} then uses its proxy.
 */
final class WrapperSource {

    static final String SUFFIX = "$$Rebound";
    private static final String SPI = "dev.rebound.runtime.spi.";
    private static final String RM = SPI + "ResilientMethod";
    static final String GW = SPI + "GeneratedWrapper";
    private static final String METHODS = "METHODS";

    /** The packages of the names the source writes whatever the interface: java.lang's, the runtime's. */
    private static final Set<String> FIXED_ROOTS = Set.of("java", "dev");
    /** The package the source names in expressions too, where a variable of that name would hide it. */
    private static final String EXPRESSION_ROOT = "dev";

    private final Types types;
    private final Elements elements;
    private final TypeElement type;
    private final DeclaredType self;
    private final List<ExecutableElement> methods = new ArrayList<>();
    /**
     * Per method (by index in {@link #methods}), the names its type variables are written with: a name the
     * interface's own type variables also have is changed ({@link #typeVariableNames}).
     */
    private final List<Map<Element, String>> typeVariableNames = new ArrayList<>();
    /** The first identifiers of the packages of the types the source writes ({@link #spellable}). */
    private final Set<String> packageRoots = new LinkedHashSet<>(FIXED_ROOTS);
    /** The top-level types of the unnamed package the source writes, by simple name. */
    private final Set<String> typeRoots = new LinkedHashSet<>();

    private WrapperSource(ProcessingEnvironment env, TypeElement type) {
        this.types = env.getTypeUtils();
        this.elements = env.getElementUtils();
        this.type = type;
        this.self = (DeclaredType) type.asType();
    }

    /** The generated class's binary name for {@code type}. */
    static String nameOf(Elements elements, TypeElement type) {
        return elements.getBinaryName(type) + SUFFIX;
    }

    /** The source of {@code type}'s generated class, or null when its shape is one this cannot write. */
    static String of(ProcessingEnvironment env, TypeElement type) {
        WrapperSource w = new WrapperSource(env, type);
        return w.collect() ? w.write() : null;
    }

    /** Whether every method can be written and the methods written are exactly what reflection will list. */
    private boolean collect() {
        if (type.getKind() != ElementKind.INTERFACE || !reachable(type) || !spellable(self, new HashSet<>())) {
            return false;
        }
        Set<String> written = new LinkedHashSet<>();
        Set<String> signatures = new LinkedHashSet<>();
        for (Element e : elements.getAllMembers(type)) {
            if (e.getKind() != ElementKind.METHOD || e.getEnclosingElement().getKind() != ElementKind.INTERFACE) {
                continue;
            }
            ExecutableElement m = (ExecutableElement) e;
            if (m.getModifiers().contains(Modifier.STATIC) || m.getModifiers().contains(Modifier.PRIVATE)
                    || objectMethod(types, m)) {
                continue;
            }
            ExecutableType member = (ExecutableType) types.asMemberOf(self, m);
            String signature = m.getSimpleName() + member.getParameterTypes().stream()
                    .map(t -> types.erasure(t).toString()).collect(Collectors.joining(",", "(", ")"));
            if (!signatures.add(signature) || !written.add(m.getSimpleName() + descriptor(m)) || !writable(m, member)
                    || hidesAStaticOfGeneratedWrapper(m, signature)) {
                return false; // two methods one override would implement, or a type this cannot spell
            }
            methods.add(m);
            typeVariableNames.add(typeVariableNames(member));
        }
        if (rootHidden()) {
            return false; // a member named like a package the source names (dev, java, the interface's own)
        }
        // what Class.getMethods() will list: every method of the interface and its superinterfaces, by
        // name and descriptor (one overridden with another descriptor stays listed, and one override
        // could not implement both)
        Set<String> reflected = new LinkedHashSet<>();
        for (TypeElement t : withSuperinterfaces(type, new LinkedHashSet<>())) {
            for (ExecutableElement m : ElementFilter.methodsIn(TypeModel.declaredMembers(elements, t))) {
                if (!m.getModifiers().contains(Modifier.STATIC) && !m.getModifiers().contains(Modifier.PRIVATE)
                        && !objectMethod(types, m)) {
                    reflected.add(m.getSimpleName() + descriptor(m));
                }
            }
        }
        return reflected.equals(written);
    }

    private Set<TypeElement> withSuperinterfaces(TypeElement t, Set<TypeElement> into) {
        if (into.add(t)) {
            for (TypeMirror s : t.getInterfaces()) {
                withSuperinterfaces((TypeElement) ((DeclaredType) s).asElement(), into);
            }
        }
        return into;
    }

    /**
     * Whether a class in the same package can implement {@code t}: not sealed (only the types it permits
     * may), and no private or local type on the way.
     */
    private static boolean reachable(TypeElement t) {
        if (t.getModifiers().contains(Modifier.SEALED)) {
            return false;
        }
        for (Element e = t; e instanceof TypeElement; e = e.getEnclosingElement()) {
            TypeElement c = (TypeElement) e;
            if (c.getModifiers().contains(Modifier.PRIVATE) || c.getNestingKind() == NestingKind.LOCAL
                    || c.getNestingKind() == NestingKind.ANONYMOUS) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code t} is public and so is every type enclosing it. */
    private static boolean exported(TypeElement t) {
        for (Element e = t; e instanceof TypeElement; e = e.getEnclosingElement()) {
            if (!e.getModifiers().contains(Modifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code m} is {@code equals(Object)}, {@code hashCode()} or {@code toString()}, Object's own (an
     * interface lists them among its members) or redeclared: no door intercepts them
     * ({@link MethodRules#isObjectMethod}, the rule the runtime applies).
     */
    static boolean objectMethod(Types types, ExecutableElement m) {
        List<String> parameters = new ArrayList<>();
        for (VariableElement p : m.getParameters()) {
            parameters.add(types.erasure(p.asType()).toString());
        }
        return MethodRules.isObjectMethod(m.getSimpleName().toString(), parameters);
    }

    /**
     * No error types, no type annotations (whose source form toString does not give), and every type the
     * source names for {@code m} accessible from the generated class ({@link #spellable}).
     */
    private boolean writable(ExecutableElement m, ExecutableType member) {
        List<TypeMirror> all = new ArrayList<>(member.getParameterTypes());
        all.add(member.getReturnType());
        all.addAll(member.getThrownTypes());
        for (TypeVariable v : member.getTypeVariables()) {
            all.add(v.getUpperBound());
        }
        for (TypeMirror t : m.getThrownTypes()) {
            all.add(types.erasure(t)); // the class literals of checked()
        }
        for (TypeMirror t : all) {
            if (t.getKind() == TypeKind.ERROR || t.toString().contains("@") || t.toString().contains("capture#")
                    || !spellable(t, new HashSet<>())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the generated class (top level, in the interface's package) may name {@code t} and every
     * type in it: each declared type, its type arguments and the types enclosing it public, or not private
     * and in that package (a private type of the enclosing class, a package-private type of another
     * package's super-interface, cannot be named). Notes the first identifier of each name ({@link #rootHidden}).
     */
    private boolean spellable(TypeMirror t, Set<TypeParameterElement> seen) {
        switch (t.getKind()) {
            case ARRAY:
                return spellable(((ArrayType) t).getComponentType(), seen);
            case WILDCARD: {
                javax.lang.model.type.WildcardType w = (javax.lang.model.type.WildcardType) t;
                return (w.getExtendsBound() == null || spellable(w.getExtendsBound(), seen))
                        && (w.getSuperBound() == null || spellable(w.getSuperBound(), seen));
            }
            case TYPEVAR: {
                TypeVariable v = (TypeVariable) t;
                return !seen.add((TypeParameterElement) v.asElement())
                        || spellable(v.getUpperBound(), seen) && spellable(v.getLowerBound(), seen);
            }
            case INTERSECTION:
                return ((IntersectionType) t).getBounds().stream().allMatch(b -> spellable(b, seen));
            case DECLARED: {
                DeclaredType d = (DeclaredType) t;
                if (!accessible((TypeElement) d.asElement())) {
                    return false;
                }
                noteRoot((TypeElement) d.asElement());
                return d.getTypeArguments().stream().allMatch(a -> spellable(a, seen))
                        && spellable(d.getEnclosingType(), seen);
            }
            case ERROR:
                return false;
            default:
                return true; // primitives, void, null, none
        }
    }

    /** Whether a top-level class in the interface's package may name {@code t}. */
    private boolean accessible(TypeElement t) {
        Element pkg = elements.getPackageOf(type);
        for (Element e = t; e instanceof TypeElement; e = e.getEnclosingElement()) {
            TypeElement c = (TypeElement) e;
            if (c.getNestingKind() == NestingKind.LOCAL || c.getNestingKind() == NestingKind.ANONYMOUS
                    || !c.getModifiers().contains(Modifier.PUBLIC)
                    && (c.getModifiers().contains(Modifier.PRIVATE) || !elements.getPackageOf(c).equals(pkg))) {
                return false;
            }
        }
        return true;
    }

    /** Notes the first identifier of {@code t}'s canonical name: its package's first, or its top-level type. */
    private void noteRoot(TypeElement t) {
        String pkg = elements.getPackageOf(t).getQualifiedName().toString();
        if (!pkg.isEmpty()) {
            packageRoots.add(pkg.contains(".") ? pkg.substring(0, pkg.indexOf('.')) : pkg);
            return;
        }
        Element top = t;
        while (top.getEnclosingElement() instanceof TypeElement) {
            top = top.getEnclosingElement();
        }
        typeRoots.add(top.getSimpleName().toString());
    }

    /**
     * Whether a name in scope in the generated class hides the first identifier of a qualified name its
     * source writes (JLS 6.5.2): a type (a member type of the interface or of {@code GeneratedWrapper}, a
     * type variable of the interface or of a method; for a package, also a type of the interface's package
     * or of {@code java.lang}) hides any, as {@code enum java} would {@code java.lang.String}; a variable
     * (a field, the class's own fields and locals) hides {@code dev} only, the one package the source names
     * in expressions ({@code dev.rebound.runtime.spi.GeneratedWrapper.NONE}), as a constant {@code dev} would.
     */
    private boolean rootHidden() {
        Set<String> typesInScope = new HashSet<>();
        Set<String> variablesInScope = new HashSet<>(List.of("target", METHODS, "$c", "$a"));
        List<Element> members = new ArrayList<>(elements.getAllMembers(type));
        TypeElement superclass = elements.getTypeElement(GW);
        if (superclass != null) {
            elements.getAllMembers(superclass).stream().filter(e -> !e.getModifiers().contains(Modifier.PRIVATE))
                    .forEach(members::add);
        }
        for (Element e : members) {
            if (e.getKind().isField()) {
                variablesInScope.add(e.getSimpleName().toString());
            } else if (e.getKind().isClass() || e.getKind().isInterface()) {
                typesInScope.add(e.getSimpleName().toString());
            }
        }
        type.getTypeParameters().forEach(p -> typesInScope.add(p.getSimpleName().toString()));
        for (int i = 0; i < methods.size(); i++) {
            variablesInScope.addAll(List.of("p" + i, "I" + i, "X" + i));
            typesInScope.addAll(typeVariableNames.get(i).values());
            for (int k = 0; k < methods.get(i).getParameters().size(); k++) {
                variablesInScope.add("a" + k);
            }
        }
        String pkg = elements.getPackageOf(type).getQualifiedName().toString();
        for (String root : packageRoots) {
            if (typesInScope.contains(root) || elements.getTypeElement("java.lang." + root) != null
                    || !pkg.isEmpty() && elements.getTypeElement(pkg + "." + root) != null) {
                return true;
            }
        }
        return variablesInScope.contains(EXPRESSION_ROOT) || typeRoots.stream().anyMatch(typesInScope::contains);
    }

    /**
     * Whether {@code m} has the name and parameters of a static method the generated class inherits from
     * {@code GeneratedWrapper} ({@code rethrow}, {@code retried}, ...): its override could not be written.
     */
    private boolean hidesAStaticOfGeneratedWrapper(ExecutableElement m, String signature) {
        TypeElement superclass = elements.getTypeElement(GW);
        if (superclass == null) {
            return false;
        }
        for (ExecutableElement s : ElementFilter.methodsIn(elements.getAllMembers(superclass))) {
            if (s.getModifiers().contains(Modifier.STATIC) && !s.getModifiers().contains(Modifier.PRIVATE)
                    && signature.equals(s.getSimpleName() + s.getParameters().stream()
                            .map(p -> types.erasure(p.asType()).toString()).collect(Collectors.joining(",", "(", ")")))) {
                return true;
            }
        }
        return false;
    }

    /** {@code (Ljava/lang/String;)Ljava/lang/String;}: the JVM descriptor of {@code m} as declared. */
    private String descriptor(ExecutableElement m) {
        StringBuilder sb = new StringBuilder("(");
        for (javax.lang.model.element.VariableElement p : m.getParameters()) {
            sb.append(descriptor(types.erasure(p.asType())));
        }
        return sb.append(')').append(descriptor(types.erasure(m.getReturnType()))).toString();
    }

    private String descriptor(TypeMirror t) {
        switch (t.getKind()) {
            case VOID: return "V";
            case BOOLEAN: return "Z";
            case BYTE: return "B";
            case CHAR: return "C";
            case SHORT: return "S";
            case INT: return "I";
            case LONG: return "J";
            case FLOAT: return "F";
            case DOUBLE: return "D";
            case ARRAY: return "[" + descriptor(((ArrayType) t).getComponentType());
            case DECLARED:
                return "L" + elements.getBinaryName((TypeElement) ((DeclaredType) t).asElement()).toString()
                        .replace('.', '/') + ";";
            case TYPEVAR:
            case INTERSECTION:
                return descriptor(types.erasure(t)); // a declared type or an array
            default: // an error type (unresolved): never recursed into; writable() refuses it
                return "L" + t + ";";
        }
    }

    /**
     * {@code chat(Ljava/lang/String;)Ljava/lang/String;^Ljava/io/IOException;}: the entry of {@code m} in the
     * generated class's {@code METHODS}, its name, JVM descriptor and, as a JVM signature writes them, the
     * checked exceptions it declares, erased as reflection's {@code getExceptionTypes()} gives them; so that
     * a class generated before a {@code throws} clause changed is seen not to fit ({@code GeneratedWrappers}).
     */
    private String entry(ExecutableElement m) {
        StringBuilder sb = new StringBuilder(m.getSimpleName()).append(descriptor(m));
        for (TypeMirror t : m.getThrownTypes()) {
            sb.append('^').append(descriptor(types.erasure(t)));
        }
        return sb.toString();
    }

    private String write() {
        String pkg = elements.getPackageOf(type).getQualifiedName().toString();
        String binary = elements.getBinaryName(type).toString();
        String simple = (pkg.isEmpty() ? binary : binary.substring(pkg.length() + 1)) + SUFFIX;
        String raw = types.erasure(self).toString();
        String visibility = exported(type) ? "public " : "";
        StringBuilder s = new StringBuilder();
        if (!pkg.isEmpty()) {
            s.append("package ").append(pkg).append(";\n\n");
        }
        s.append("/**\n * Generated by Rebound's annotation processor (dev.rebound.weaver.processor.ReboundProcessor) for\n")
                .append(" * {@code Rebound.wrap(").append(type.getSimpleName())
                .append(".class, ...)}: used instead of a JDK proxy. Do not edit.\n */\n")
                // javac's own keys (it ignores "all", Eclipse's): the casts from Object, and the interface's
                // deprecated methods, which the class overrides and calls; no cast it writes is redundant
                .append("@java.lang.SuppressWarnings({\"unchecked\", \"rawtypes\", \"deprecation\", \"removal\", \"all\"})\n")
                .append(visibility).append("final class ").append(simple).append(typeParameters(type.getTypeParameters()))
                .append(" extends ").append(GW).append(" implements ").append(self).append(" {\n\n");
        s.append("    /** The methods, in the order of the constructor's policies: name, JVM descriptor, checked exceptions. */\n")
                .append("    ").append(visibility).append("static final java.lang.String[] ").append(METHODS).append(" = {")
                .append(methods.stream().map(m -> "\"" + entry(m) + "\"")
                        .collect(Collectors.joining(", ")))
                .append("};\n\n");
        for (int i = 0; i < methods.size(); i++) {
            ExecutableElement m = methods.get(i);
            ExecutableType member = (ExecutableType) types.asMemberOf(self, m);
            s.append("    private static final ").append(SPI).append("Invoker I").append(i).append(" = ($c, $a) -> ");
            String call = "((" + raw + ") $c)." + m.getSimpleName() + "(" + argumentsFromArray(member) + ")";
            if (member.getReturnType().getKind() == TypeKind.VOID) {
                s.append("{\n        ").append(call).append(";\n        return null;\n    };\n");
            } else {
                s.append(call).append(";\n");
            }
            s.append("    private static final java.lang.Class<?>[] X").append(i).append(" = ").append(checked(methods.get(i))).append(";\n");
        }
        s.append("\n    private final ").append(self).append(" target;\n");
        for (int i = 0; i < methods.size(); i++) {
            s.append("    private final ").append(RM).append(" p").append(i).append(";\n");
        }
        s.append("\n    ").append(visibility).append(simple).append("(").append(self)
                .append(" target, java.lang.String name, ").append(RM).append("[] policies) {\n")
                .append("        super(target, name, policies);\n        this.target = target;\n");
        for (int i = 0; i < methods.size(); i++) {
            s.append("        this.p").append(i).append(" = policies[").append(i).append("];\n");
        }
        s.append("    }\n");
        for (int i = 0; i < methods.size(); i++) {
            method(s, i, methods.get(i), (ExecutableType) types.asMemberOf(self, methods.get(i)),
                    typeVariableNames.get(i));
        }
        return s.append("}\n").toString();
    }

    private void method(StringBuilder s, int i, ExecutableElement m, ExecutableType member,
            Map<Element, String> variables) {
        List<? extends TypeMirror> params = member.getParameterTypes();
        StringBuilder decl = new StringBuilder();
        StringBuilder names = new StringBuilder();
        for (int k = 0; k < params.size(); k++) {
            String t = spell(params.get(k), variables);
            if (m.isVarArgs() && k == params.size() - 1) {
                t = spell(((ArrayType) params.get(k)).getComponentType(), variables) + "...";
            }
            decl.append(k == 0 ? "" : ", ").append(t).append(" a").append(k);
            names.append(k == 0 ? "" : ", ").append("a").append(k);
        }
        String args = params.isEmpty() ? "null" : "new java.lang.Object[] {" + names + "}";
        TypeMirror returns = member.getReturnType();
        boolean isVoid = returns.getKind() == TypeKind.VOID;
        String call = "this.target." + m.getSimpleName() + "(" + names + ")";
        // no cast to Object: javac's -Xlint:cast calls it redundant (and @SuppressWarnings("all") is not javac's)
        String cast = isVoid || isObject(returns) ? "" : "(" + spell(returns, variables) + ") ";
        String answer = isVoid ? "" : "return ";
        String thrown = member.getThrownTypes().isEmpty() ? "" : " throws " + member.getThrownTypes().stream()
                .map(t -> spell(t, variables)).collect(Collectors.joining(", "));
        s.append("\n    @java.lang.Override\n    public ").append(methodTypeParameters(member, variables))
                .append(spell(returns, variables)).append(' ')
                .append(m.getSimpleName()).append("(").append(decl).append(")").append(thrown).append(" {\n")
                .append("        ").append(RM).append(" $p = this.p").append(i).append(";\n")
                // inside the try, as through the JDK proxy: an undeclared checked failure arrives wrapped (a
                // try costs nothing until something is thrown)
                .append("        try {\n")
                .append("            if ($p == null) {\n                ").append(answer).append(call).append(";")
                .append(isVoid ? "\n                return;" : "").append("\n            }\n")
                .append("            if ($p.bareFirstAttempt()) {\n")
                .append("                try {\n                    ").append(answer).append(call).append(";")
                .append(isVoid ? "\n                    return;" : "").append("\n")
                .append("                } catch (java.lang.Throwable $f) {\n");
        failed(s, "                    ", i, params.size(), names, args, call, cast, isVoid, RM + ".UNTIMED");
        s.append("                }\n            }\n")
                .append("            long $s = $p.start();\n") // read before admission: see ResilientMethod.start
                .append("            if (!$p.admitFirstAttempt()) {\n                ").append(answer).append(cast)
                .append("$p.executeAll(this.target, ").append(args).append(", I").append(i).append(");")
                .append(isVoid ? "\n                return;" : "").append("\n            }\n");
        if (isVoid) {
            s.append("            try {\n                ").append(call).append(";\n");
        } else {
            s.append("            ").append(spell(returns, variables)).append(" $r;\n")
                    .append("            try {\n                $r = ").append(call).append(";\n");
        }
        s.append("            } catch (java.lang.Throwable $f) {\n");
        failed(s, "                ", i, params.size(), names, args, call, cast, isVoid, "$s");
        s.append("            }\n")
                .append("            $p.succeeded($s);\n");
        if (!isVoid) {
            s.append("            return $r;\n");
        }
        s.append("        } catch (java.lang.Throwable $e) {\n            throw ").append(GW).append(".rethrow($e, X").append(i).append(");\n        }\n    }\n");
    }

    /**
     * The body of the catch of the first attempt's failure {@code $f} (started at {@code start}): with at
     * most {@code GeneratedWrapper.MAX_LENT} parameters, the primary's retries run here with typed calls,
     * each failure reported through {@code GeneratedWrapper.retried} (the arguments loose), which sleeps
     * the wait and says "again" (a {@code QuietRetry}) while the call is quiet, else returns the call's
     * result (the engine having taken it over); with more, the whole rest is {@code failed}'s.
     */
    private static void failed(StringBuilder s, String in, int i, int arity, CharSequence names, String args,
            String call, String cast, boolean isVoid, String start) {
        String answer = isVoid ? "" : "return ";
        String end = isVoid ? "\n" + in + "return;" : "";
        if (arity > 4) {
            s.append(in).append(answer).append(cast).append("$p.failed($f, ").append(start).append(", this.target, ")
                    .append(args).append(", I").append(i).append(");").append(end).append("\n");
            return;
        }
        s.append(in).append("java.lang.Object $o = null;\n")
                .append(in).append("java.lang.Throwable $g = $f;\n")
                .append(in).append("for (int $n = 1; ; $n++) {\n")
                .append(in).append("    $o = ").append(GW).append(".retried($p, $o, $f, $g, $n, ").append(start).append(", this.target, I")
                .append(i).append(arity == 0 ? "" : ", ").append(names).append(");\n")
                .append(in).append("    if (!($o instanceof ").append(SPI).append("QuietRetry)) {\n")
                .append(in).append("        ").append(answer).append(cast).append(isVoid ? "" : "$o;")
                .append(isVoid ? "return;" : "").append("\n")
                .append(in).append("    }\n")
                .append(in).append("    try {\n")
                .append(in).append("        ").append(answer).append(call).append(";")
                .append(isVoid ? "\n" + in + "        return;" : "").append("\n")
                .append(in).append("    } catch (java.lang.Throwable $h) {\n")
                .append(in).append("        $g = $h;\n")
                .append(in).append("    }\n")
                .append(in).append("}\n");
    }

    /**
     * {@code (java.lang.String) $a[0], (int) $a[1]}: the arguments typed from the invoker's array, by
     * erasure; an {@code Object} one as it is ({@code $a[2]}), a cast to it being redundant.
     */
    private String argumentsFromArray(ExecutableType member) {
        List<? extends TypeMirror> params = member.getParameterTypes();
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < params.size(); k++) {
            TypeMirror erased = types.erasure(params.get(k));
            sb.append(k == 0 ? "" : ", ").append(isObject(erased) ? "" : "(" + spell(erased, Map.of()) + ") ")
                    .append("$a[").append(k).append("]");
        }
        return sb.toString();
    }

    private static boolean isObject(TypeMirror t) {
        return t.getKind() == TypeKind.DECLARED
                && ((TypeElement) ((DeclaredType) t).asElement()).getQualifiedName().contentEquals("java.lang.Object");
    }

    /**
     * The class literals of the checked exceptions {@code m} declares, or {@code NONE}: erased as declared
     * (a {@code throws E} of {@code Op<E extends Exception>} is {@code Exception} in {@code IoOp extends
     * Op<IOException>} too), as reflection's {@code getExceptionTypes()}, which the JDK proxy and the other
     * doors go by.
     */
    private String checked(ExecutableElement m) {
        if (m.getThrownTypes().isEmpty()) {
            return GW + ".NONE";
        }
        return m.getThrownTypes().stream().map(t -> types.erasure(t) + ".class")
                .collect(Collectors.joining(", ", "new java.lang.Class<?>[] {", "}"));
    }

    /** {@code <T extends java.lang.Number>}: the interface's type parameters, bounds as declared. */
    private String typeParameters(List<? extends TypeParameterElement> params) {
        if (params.isEmpty()) {
            return "";
        }
        return params.stream().map(p -> p.getSimpleName() + bounds(p.getBounds(), Map.of()))
                .collect(Collectors.joining(", ", "<", ">"));
    }

    /** {@code <E extends java.lang.Object & java.lang.Comparable<? super E>> }: the method's, as a member of the interface. */
    private String methodTypeParameters(ExecutableType member, Map<Element, String> variables) {
        if (member.getTypeVariables().isEmpty()) {
            return "";
        }
        return member.getTypeVariables().stream().map(v -> {
            TypeMirror upper = v.getUpperBound();
            List<? extends TypeMirror> bounds = upper instanceof IntersectionType
                    ? ((IntersectionType) upper).getBounds() : List.of(upper);
            return spell(v, variables) + bounds(bounds, variables);
        }).collect(Collectors.joining(", ", "<", "> "));
    }

    /**
     * {@code " extends A & B"}: every bound as declared, {@code Object} too when others follow it (it makes
     * the erasure: {@code <E extends Object & Comparable<? super E>>} erases to {@code Object}, without it
     * to {@code Comparable}, and the method would no longer implement the interface's); nothing for
     * {@code Object} alone.
     */
    private String bounds(List<? extends TypeMirror> bounds, Map<Element, String> variables) {
        if (bounds.isEmpty() || bounds.size() == 1 && isObject(bounds.get(0))) {
            return "";
        }
        return bounds.stream().map(b -> spell(b, variables)).collect(Collectors.joining(" & ", " extends ", ""));
    }

    /**
     * The names {@code member}'s type variables are written with, by element: their own, unless one of the
     * interface's type variables, which the generated class declares too, has it; then {@code U$1} (the
     * first of {@code U$1}, {@code U$2}, ... that no other type variable in scope has). {@code <U> T
     * convert(U input)} of {@code Base<T>} is {@code <U> U convert(U input)} as a member of {@code Sub<U>
     * extends Base<U>}, where the result's {@code U} is the interface's, not the method's.
     */
    private Map<Element, String> typeVariableNames(ExecutableType member) {
        Set<String> interfaceOwn = new HashSet<>();
        type.getTypeParameters().forEach(p -> interfaceOwn.add(p.getSimpleName().toString()));
        Set<String> taken = new HashSet<>(interfaceOwn);
        member.getTypeVariables().forEach(v -> taken.add(v.asElement().getSimpleName().toString()));
        Map<Element, String> names = new HashMap<>();
        for (TypeVariable v : member.getTypeVariables()) {
            String name = v.asElement().getSimpleName().toString();
            if (interfaceOwn.contains(name)) {
                int n = 1;
                while (taken.contains(name + "$" + n)) {
                    n++;
                }
                name = name + "$" + n;
                taken.add(name);
            }
            names.put(v.asElement(), name);
        }
        return names;
    }

    /**
     * {@code java.util.Map<java.lang.String, ? extends T>}: {@code t} in source form, as {@code toString}
     * writes it, but a type variable that {@code variables} names is written with that name. (No type
     * annotations: {@link #writable} refuses them.)
     */
    /** Whether {@code t} is a class type with type arguments, its own or an enclosing class's. */
    private static boolean parameterized(TypeMirror t) {
        for (; t.getKind() == TypeKind.DECLARED; t = ((DeclaredType) t).getEnclosingType()) {
            if (!((DeclaredType) t).getTypeArguments().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private String spell(TypeMirror t, Map<Element, String> variables) {
        switch (t.getKind()) {
            case ARRAY:
                return spell(((ArrayType) t).getComponentType(), variables) + "[]";
            case TYPEVAR: {
                Element v = ((TypeVariable) t).asElement();
                return variables.getOrDefault(v, v.getSimpleName().toString());
            }
            case WILDCARD: {
                javax.lang.model.type.WildcardType w = (javax.lang.model.type.WildcardType) t;
                return w.getExtendsBound() != null ? "? extends " + spell(w.getExtendsBound(), variables)
                        : w.getSuperBound() != null ? "? super " + spell(w.getSuperBound(), variables) : "?";
            }
            case INTERSECTION:
                return ((IntersectionType) t).getBounds().stream().map(b -> spell(b, variables))
                        .collect(Collectors.joining(" & "));
            case DECLARED: {
                DeclaredType d = (DeclaredType) t;
                TypeMirror outer = d.getEnclosingType();
                // a member class of a parameterized class, at any depth: Outer<T>.Inner, Outer<T>.Mid.Inner
                String name = parameterized(outer) ? spell(outer, variables) + "." + d.asElement().getSimpleName()
                        : ((TypeElement) d.asElement()).getQualifiedName().toString();
                return d.getTypeArguments().isEmpty() ? name : d.getTypeArguments().stream()
                        .map(a -> spell(a, variables)).collect(Collectors.joining(", ", name + "<", ">"));
            }
            default:
                return t.toString(); // primitives, void
        }
    }
}
