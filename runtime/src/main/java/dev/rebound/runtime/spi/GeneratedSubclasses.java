package dev.rebound.runtime.spi;

import java.lang.reflect.Field;

/**
 * Tells a subclass that a container or a library generated at run time over a user's class (Guice's
 * {@code Impl$$EnhancerByGuice$$1a2b}, Spring's {@code Impl$$SpringCGLIB$$0}, Javassist's
 * {@code Impl_$$_jvst1a_0}, ByteBuddy's {@code Impl$ByteBuddy$4f1d}, Mockito's {@code Impl$MockitoMock$123},
 * Hibernate's {@code Impl$HibernateProxy$x}) from the user's own classes: its overrides only delegate to the
 * user's class above it, whose annotations, woven code and name are the ones that count. The one test of
 * every door (the woven door's policy lookup, the names in events and logs, the attempts a wrapped alternative
 * makes by itself), so that they agree on every class.
 *
 * <p>Generated means all three: the name carries a generator's mark (or the class is synthetic); the class is
 * top level (a generator writes no {@code InnerClasses} attribute, while a member, local or anonymous class that
 * its author or another compiler named with {@code $$}, {@code Outer$$Impl} or Scala's {@code Outer$$anon$1}, is
 * declared in its enclosing class); and ajc never wove it (a class that ajc compiled, or the load-time agent wove,
 * declares ajc's {@code ajc$} fields). A user's class passes only if it is top level, named with a mark, and
 * compiled by javac alone; such a class is named, and read, as the class above it. Checked once per class.
 */
public final class GeneratedSubclasses {

    private static final String[] MARKS = {"$$", "$ByteBuddy$", "$MockitoMock$", "$HibernateProxy$"};

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
        if (!marked || enclosed(type)) {
            return false;
        }
        for (Field f : declaredFields(type)) {
            if (f.getName().startsWith("ajc$")) {
                return false;
            }
        }
        return true;
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
