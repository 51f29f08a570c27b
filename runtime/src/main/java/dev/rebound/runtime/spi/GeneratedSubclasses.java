package dev.rebound.runtime.spi;

import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Tells a subclass that a container or a library generated over a user's class (Guice's
 * {@code Impl$$EnhancerByGuice$$1a2b}, Spring's {@code Impl$$SpringCGLIB$$0}, Javassist's
 * {@code Impl_$$_jvst1a_0}, ByteBuddy's {@code Impl$ByteBuddy$4f1d}, Mockito's {@code Impl$MockitoMock$123},
 * Hibernate's {@code Impl$HibernateProxy$x}, Quarkus ArC's {@code Impl_Subclass}, Micronaut's
 * {@code $Impl$Definition$Intercepted}) from the user's own classes: its overrides only delegate to the user's
 * class above it, whose annotations, woven code and name are the ones that count. The one test of every door (the
 * woven door's policy lookup, the names in events and logs, {@code Rebound.wrap}'s, {@code ReboundModule}'s and the
 * woven advice's alike, the fleet's keys, the attempts a wrapped alternative makes by itself), so that they agree
 * on every class.
 *
 * <p>Generated means all three: the class is top level (a generator writes no {@code InnerClasses} attribute,
 * while a member, local or anonymous class that its author or another compiler named with {@code $$},
 * {@code Outer$$Impl} or Scala's {@code Outer$$anon$1}, is declared in its enclosing class); ajc never wove it (a
 * class that ajc compiled, or the load-time agent wove, declares ajc's {@code ajc$} fields), unless it is synthetic
 * (no compiler writes a top-level class synthetic: one the agent wove is a generator's all the same); and either its
 * name carries a generator's own mark ({@code $$EnhancerByGuice$$}, {@code $$SpringCGLIB$$},
 * {@code $$EnhancerBySpringCGLIB$$}, {@code $$EnhancerByCGLIB$$}, {@code $$FastClassByCGLIB$$}, {@code _$$_jvst},
 * {@code _$$_Weld}, {@code $ByteBuddy$}, {@code $MockitoMock$}, {@code $HibernateProxy$}) or the class is
 * synthetic, or its name holds a bare {@code $$} (another generator's) and the class declares no Rebound annotation
 * of its own, on itself or on a method it declares. Synthetic is how the generators that write
 * their classes at build time say it, and it is exact where a name is not: Quarkus ArC (through Gizmo, whose
 * classes are {@code ACC_SYNTHETIC} by default: {@code Impl_Subclass}, {@code Impl_ClientProxy}) and Micronaut
 * ({@code AopProxyWriter} flags its {@code $Impl$Definition$Intercepted} and {@code Chat$Intercepted}
 * {@code ACC_SYNTHETIC}), where a class of yours may well be named {@code Order_Subclass} or
 * {@code Audit$Intercepted}; so neither suffix is a mark. A generator's own mark wins over the annotations (Mockito
 * copies the mocked class's annotations onto its mock); a bare {@code $$} does not: a top-level class of yours
 * named {@code Odd$$Plain}, javac's alone, that carries its own {@code @Retry} is yours, named {@code Odd$$Plain}
 * by every door. Such a class without an annotation of its own is named, and read, as the class above it, whose
 * annotations are the ones it has. Checked once per class.
 *
 * <p>A generated class whose superclass is {@code Object} stands for an interface, as a JDK proxy does (a Mockito
 * mock of {@code ReviewChat}, {@code ReviewChat$MockitoMock$5150}; Micronaut's client {@code ReviewChat$Intercepted};
 * ArC's client proxy of a bean of that type): it is named by that interface ({@link #namedAs}), in events and in the
 * fleet's keys alike: the one a door wraps it as, else its first one that is not a generator's own (Mockito's
 * {@code MockAccess}, ArC's {@code ClientProxy}, Micronaut's {@code Introduced}, ...: see {@link #namedAs}) nor
 * {@code java.io.Serializable}, which generators add, nor the JDK's ({@code Supplier}) when it implements another. Only a
 * generator's own mark or the synthetic flag earns that: a class of yours named with a bare {@code $$} that
 * implements an interface keeps its own name, and so does a lambda's (a hidden class: {@code Main$$Lambda}).
 */
public final class GeneratedSubclasses {

    /** The marks a generator writes in the names of the subclasses it makes (Guice's, Spring's, ...). */
    private static final String[] MARKS = {"$$EnhancerByGuice$$", "$$SpringCGLIB$$", "$$EnhancerBySpringCGLIB$$",
        "$$EnhancerByCGLIB$$", "$$FastClassByCGLIB$$", "$$FastClassBySpringCGLIB$$", "_$$_jvst", "_$$_Weld",
        "$ByteBuddy$", "$MockitoMock$", "$HibernateProxy$"};

    /**
     * The packages whose interfaces a generator adds to the classes it makes beside the user's (Mockito's
     * {@code MockAccess}, ByteBuddy's, Hibernate's {@code HibernateProxy}, Javassist's {@code ProxyObject}, Weld's,
     * Spring's {@code SpringProxy}, {@code Advised} and CGLIB's {@code Factory}, Guice's, ArC's {@code Subclass} and
     * {@code ClientProxy}, Micronaut's {@code Intercepted} and {@code Introduced}, OpenWebBeans'): never what a
     * generated class stands for.
     */
    private static final String[] GENERATOR_PACKAGES = {"org.mockito.", "net.bytebuddy.", "org.hibernate.proxy.",
        "javassist.", "org.jboss.weld.", "org.springframework.aop.", "org.springframework.cglib.",
        "org.springframework.core.", "net.sf.cglib.", "com.google.inject.", "io.quarkus.arc.", "io.micronaut.aop.",
        "org.apache.webbeans."};

    /** Where Rebound's annotations are: one of them declared on a class named with a bare {@code $$} makes it a user's. */
    private static final String ANNOTATIONS = "dev.rebound.annotations";

    private static final ClassValue<Boolean> GENERATED = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return generated(type);
        }
    };

    /** What {@link #namedAs(Class)} answers, once per class. */
    private static final ClassValue<Class<?>> NAMED = new ClassValue<>() {
        @Override
        protected Class<?> computeValue(Class<?> type) {
            return namedAs(type, null);
        }
    };

    private GeneratedSubclasses() {
    }

    /** Whether {@code type} is a subclass generated at run time over the class above it (the class comment's test). */
    public static boolean isGenerated(Class<?> type) {
        return GENERATED.get(type);
    }

    /**
     * The first class at or above {@code type} that is not {@linkplain #isGenerated generated}: the user's class
     * whose annotations and name count; {@code type} itself for a class that is not generated, or one whose
     * superclass is {@code Object} (a lambda's class, a JDK proxy).
     */
    public static Class<?> userClass(Class<?> type) {
        Class<?> c = type;
        while (c.getSuperclass() != null && c.getSuperclass() != Object.class && isGenerated(c)) {
            c = c.getSuperclass();
        }
        return c;
    }

    /**
     * The class or interface that names the instances of {@code type} in events, logs, metrics and the fleet's
     * keys, the same in every run: its {@linkplain #userClass user's class}; but for a generated class whose
     * superclass is {@code Object} and that a generator marked as its own (its name carries a generator's mark, or
     * it is synthetic; not hidden), and for a JDK proxy, an interface it implements, in the order its class file
     * lists them, that is neither a generator's own (in a generator's package: {@code org.mockito},
     * {@code net.bytebuddy}, {@code org.hibernate.proxy}, {@code javassist}, {@code org.jboss.weld},
     * {@code org.springframework.aop}, {@code .cglib} and {@code .core}, {@code net.sf.cglib},
     * {@code com.google.inject}, {@code io.quarkus.arc}, {@code io.micronaut.aop}, {@code org.apache.webbeans}) nor
     * {@code java.io.Serializable}: the first that is not the JDK's ({@code java.*}, {@code javax.*}), else the
     * first. So Mockito's {@code ReviewChat$MockitoMock$5150 implements ReviewChat, MockAccess} is
     * {@code ReviewChat}, as a JDK proxy of {@code ReviewChat} is, ArC's {@code ReviewChat_ClientProxy implements
     * ClientProxy, ReviewChat} too, and a ByteBuddy class {@code implements Supplier, ReviewChat} as well. When it
     * implements none but a generator's, its own class (a JDK proxy: its first interface). Asked once per class.
     */
    public static Class<?> namedAs(Class<?> type) {
        return NAMED.get(type);
    }

    /**
     * As {@link #namedAs(Class)}, for a door that wraps the instance as {@code wrapped} (an interface, or null for
     * none; a class decides nothing): a generated class that stands for interfaces, or a JDK proxy, is named by its
     * first interface (not a generator's) that is {@code wrapped} or extends it, else as {@link #namedAs(Class)}
     * names it. The one choice of events and of the fleet's keys. Asked when a door builds, never per call.
     */
    public static Class<?> namedAs(Class<?> type, Class<?> wrapped) {
        boolean proxy = Proxy.isProxyClass(type) && type.getInterfaces().length > 0;
        Class<?> user = proxy ? type : userClass(type);
        if (!proxy && !standsForInterfaces(user)) {
            return user;
        }
        Class<?> first = null;
        Class<?> firstJdk = null;
        for (Class<?> itf : user.getInterfaces()) {
            if (generatorsOwn(itf)) {
                continue;
            }
            if (wrapped != null && wrapped.isAssignableFrom(itf)) {
                return itf;
            }
            if (jdks(itf)) {
                firstJdk = firstJdk == null ? itf : firstJdk;
            } else if (first == null) {
                first = itf;
            }
        }
        Class<?> chosen = first != null ? first : firstJdk;
        return chosen != null ? chosen : proxy ? type.getInterfaces()[0] : user;
    }

    /**
     * Whether {@code type} is a class a generator made over {@code Object} to stand for interfaces: generated, and
     * marked so by its generator (its name's mark, or the synthetic flag), not a hidden class (a lambda's, named by
     * where it was written). A bare {@code $$} is not enough: a class of yours so named implements its interfaces
     * as a class of its own.
     */
    private static boolean standsForInterfaces(Class<?> type) {
        return type.getSuperclass() == Object.class && !type.isHidden() && isGenerated(type)
                && (type.isSynthetic() || marked(type.getName()));
    }

    /** Whether {@code itf} is one a generator adds to its classes: in a generator's package, or Serializable. */
    private static boolean generatorsOwn(Class<?> itf) {
        String name = itf.getName();
        for (String p : GENERATOR_PACKAGES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return itf == java.io.Serializable.class;
    }

    /**
     * Whether {@code itf} is the JDK's ({@code java.*}, {@code javax.*}: {@code Supplier}, {@code Callable}): a
     * generated class implements one beside the interface it stands for only as a means to an end.
     */
    private static boolean jdks(Class<?> itf) {
        String name = itf.getName();
        return name.startsWith("java.") || name.startsWith("javax.");
    }

    /** Whether {@code name} carries a generator's own mark ({@link #MARKS}). */
    private static boolean marked(String name) {
        for (String mark : MARKS) {
            if (name.contains(mark)) {
                return true;
            }
        }
        return false;
    }

    private static boolean generated(Class<?> type) {
        if (type.isInterface() || type.isArray() || type.isPrimitive()) {
            return false;
        }
        String name = type.getName();
        boolean synthetic = type.isSynthetic();
        boolean marked = synthetic || marked(name);
        // woven: ajc compiled it, so it is a user's, whatever its name; but no compiler writes a top-level class
        // synthetic, so a synthetic one the load-time agent wove (ArC's and Micronaut's sit in the application's
        // packages, in the agent's scope) is still a generator's
        if (!marked && !name.contains("$$") || enclosed(type) || !synthetic && woven(type)) {
            return false;
        }
        return marked || !declaresReboundAnnotation(type);
    }

    /** Whether ajc compiled {@code type}, or the load-time agent wove it: it declares ajc's fields. */
    private static boolean woven(Class<?> type) {
        for (Field f : declaredFields(type)) {
            if (f.getName().startsWith("ajc$")) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code type} itself, or a method it declares, carries one of Rebound's annotations. */
    private static boolean declaresReboundAnnotation(Class<?> type) {
        try {
            if (anyRebound(type.getDeclaredAnnotations())) {
                return true;
            }
            for (Method m : type.getDeclaredMethods()) {
                if (anyRebound(m.getDeclaredAnnotations())) {
                    return true;
                }
            }
            return false;
        } catch (LinkageError | SecurityException | java.lang.annotation.AnnotationFormatError unreadable) {
            return false; // what cannot be read declares nothing a door could apply
        }
    }

    private static boolean anyRebound(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (a.annotationType().getPackageName().equals(ANNOTATIONS)) {
                return true;
            }
        }
        return false;
    }

    private static boolean enclosed(Class<?> type) {
        try {
            return type.getEnclosingClass() != null;
        } catch (LinkageError | SecurityException unreadable) {
            return false; // an InnerClasses attribute naming a class that cannot be loaded: not a generator's
        }
    }

    private static Field[] declaredFields(Class<?> type) {
        try {
            return type.getDeclaredFields();
        } catch (LinkageError | SecurityException unreadable) {
            return new Field[0];
        }
    }
}
