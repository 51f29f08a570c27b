package dev.rebound.runtime.internal;

import dev.rebound.runtime.rules.NamedClassRules;
import dev.rebound.runtime.spi.AlternativeResolver;
import dev.rebound.runtime.spi.AlternativeUnavailable;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.concurrent.ConcurrentHashMap;

/** Makes each alternative class once, through its public no-arg constructor. */
public final class DefaultAlternativeResolver implements AlternativeResolver {

    private final ConcurrentHashMap<Class<?>, Object> instances = new ConcurrentHashMap<>();

    @Override
    public Object instanceOf(Class<?> type) {
        Object existing = instances.get(type);
        if (existing != null) {
            return existing;
        }
        Object made = create(type);
        Object raced = instances.putIfAbsent(type, made);
        return raced != null ? raced : made;
    }

    /**
     * Why {@code type} can't be made by this resolver, or null if it can, in the words of
     * {@link NamedClassRules#whyNotMade} (a class that is not public is made through its public
     * constructor all the same).
     */
    public static String whyNotConstructible(Class<?> type) {
        boolean noArg;
        try {
            noArg = Modifier.isPublic(type.getConstructor().getModifiers());
        } catch (NoSuchMethodException e) {
            noArg = false;
        }
        return NamedClassRules.whyNotMade(type.getName(), type.isInterface(), Modifier.isAbstract(type.getModifiers()),
                ResultAndHandlerRules.inner(type), noArg);
    }

    private static Object create(Class<?> type) {
        String why = whyNotConstructible(type);
        if (why != null) {
            throw new NotConstructible(why);
        }
        try {
            Constructor<?> c = type.getConstructor();
            c.setAccessible(true);
            return c.newInstance();
        } catch (InvocationTargetException e) {
            throw new NotConstructible(NamedClassRules.constructorThrew(type.getName(),
                    e.getCause().getClass().getName()), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new NotConstructible("cannot instantiate " + type.getName() + ": "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** This resolver's own refusal: its message names classes only, so it may be shown as it is. */
    static final class NotConstructible extends AlternativeUnavailable {
        private static final long serialVersionUID = 1L;

        NotConstructible(String message) {
            super(message);
        }

        NotConstructible(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
