package dev.rebound.runtime.internal;

import dev.rebound.runtime.rules.NamedClassRules;
import dev.rebound.runtime.spi.AlternativeResolver;
import dev.rebound.runtime.spi.AlternativeUnavailable;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * Makes each alternative class once, through its public no-arg constructor. Each instance is kept in its
 * class's own map ({@link ClassValue}), never in this resolver: the global settings' resolver lives as long
 * as Rebound's class loader (a server's shared lib), and would otherwise keep every application that fell
 * back through it, class loader included, after its undeploy. Two threads racing on a class's first
 * instance may each construct one; one is kept.
 */
public final class DefaultAlternativeResolver implements AlternativeResolver {

    private final ClassValue<Object> instances = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            return create(type);
        }
    };

    @Override
    public Object instanceOf(Class<?> type) {
        return instances.get(type);
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
