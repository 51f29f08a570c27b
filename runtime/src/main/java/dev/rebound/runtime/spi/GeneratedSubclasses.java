package dev.rebound.runtime.spi;

import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Tells a subclass that a container or a library generated at run time over a user's class (Guice's
 * {@code Impl$$EnhancerByGuice$$1a2b}, Spring's {@code Impl$$SpringCGLIB$$0}, Javassist's
 * {@code Impl_$$_jvst1a_0}, ByteBuddy's {@code Impl$ByteBuddy$4f1d}, Mockito's {@code Impl$MockitoMock$123},
 * Hibernate's {@code Impl$HibernateProxy$x}) from the user's own classes: its overrides only delegate to the
 * user's class above it, whose annotations, woven code and name are the ones that count. The one test of
 * every door (the woven door's policy lookup, the names in events and logs, the attempts a wrapped alternative
 * makes by itself), so that they agree on every class.
 *
 * <p>Generated means all three: the class is top level (a generator writes no {@code InnerClasses} attribute,
 * while a member, local or anonymous class that its author or another compiler named with {@code $$},
 * {@code Outer$$Impl} or Scala's {@code Outer$$anon$1}, is declared in its enclosing class); ajc never wove it (a
 * class that ajc compiled, or the load-time agent wove, declares ajc's {@code ajc$} fields); and either its name
 * carries a generator's own mark ({@code $$EnhancerByGuice$$}, {@code $$SpringCGLIB$$},
 * {@code $$EnhancerBySpringCGLIB$$}, {@code $$EnhancerByCGLIB$$}, {@code $$FastClassByCGLIB$$},
 * {@code _$$_jvst}, {@code _$$_Weld}, {@code $ByteBuddy$}, {@code $MockitoMock$}, {@code $HibernateProxy$}) or
 * the class is synthetic, or its name holds a bare {@code $$} (another generator's) and the class declares no
 * Rebound annotation of its own, on itself or on a method it declares. A generator's own mark wins over the
 * annotations (Mockito copies the mocked class's annotations onto its mock); a bare {@code $$} does not: a
 * top-level class of yours named {@code Odd$$Plain}, javac's alone, that carries its own {@code @Retry} is
 * yours, named {@code Odd$$Plain} by every door. Such a class without an annotation of its own is named, and
 * read, as the class above it, whose annotations are the ones it has. Checked once per class.
 */
public final class GeneratedSubclasses {

    /** The marks a generator writes in the names of the subclasses it makes (Guice's, Spring's, ...). */
    private static final String[] MARKS = {"$$EnhancerByGuice$$", "$$SpringCGLIB$$", "$$EnhancerBySpringCGLIB$$",
        "$$EnhancerByCGLIB$$", "$$FastClassByCGLIB$$", "$$FastClassBySpringCGLIB$$", "_$$_jvst", "_$$_Weld",
        "$ByteBuddy$", "$MockitoMock$", "$HibernateProxy$"};

    /** Where Rebound's annotations are: one of them declared on a class named with a bare {@code $$} makes it a user's. */
    private static final String ANNOTATIONS = "dev.rebound.annotations";

    private static final ClassValue<Boolean> GENERATED = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return generated(type);
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

    private static boolean generated(Class<?> type) {
        if (type.isInterface() || type.isArray() || type.isPrimitive()) {
            return false;
        }
        String name = type.getName();
        boolean marked = type.isSynthetic();
        for (int i = 0; i < MARKS.length && !marked; i++) {
            marked = name.contains(MARKS[i]);
        }
        if (!marked && !name.contains("$$") || enclosed(type) || woven(type)) {
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
