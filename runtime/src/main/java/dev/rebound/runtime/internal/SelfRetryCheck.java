package dev.rebound.runtime.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds langchain4j models that still retry by themselves. Their builders default to
 * {@code maxRetries = 2}: inside a Rebound retry of 3 attempts that is up to 9 requests, with
 * langchain4j's own sleeps in between that no Rebound policy sees. Warns once per model class.
 */
public final class SelfRetryCheck {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    /**
     * The classes warned about, marked in each class itself (a {@code ClassValue} whose value refers to
     * nothing): a static set would keep an application's model and holder classes, and its class loader,
     * for as long as Rebound's own classes live.
     */
    private static final ClassValue<AtomicBoolean> WARNED = new ClassValue<>() {
        @Override
        protected AtomicBoolean computeValue(Class<?> type) {
            return new AtomicBoolean();
        }
    };

    private SelfRetryCheck() {
    }

    /**
     * The {@code maxRetries} of a langchain4j object (a model made by its builder, or the chat model
     * behind an AiServices proxy), or 0 when it is not one, has none, or it can't be read.
     */
    public static int builtInRetries(Object target) {
        Object model = Proxy.isProxyClass(target.getClass()) ? modelBehind(Proxy.getInvocationHandler(target))
                : target;
        return model == null ? 0 : ownRetries(model);
    }

    private static int ownRetries(Object model) {
        if (!isLangchain4j(model)) {
            return 0;
        }
        for (Class<?> c = model.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField("maxRetries");
                f.setAccessible(true);
                Object v = f.get(model);
                return v instanceof Integer ? (Integer) v : 0;
            } catch (NoSuchFieldException next) {
                // look in the superclass
            } catch (ReflectiveOperationException | RuntimeException unreadable) {
                return 0; // e.g. a named module that doesn't open its package
            }
        }
        return 0;
    }

    /**
     * The chat model an AiServices proxy calls: its handler holds the service (as the outer instance),
     * which holds a context whose {@code chatModel} is the model. Followed through langchain4j objects
     * only, a few levels deep; null when not found.
     */
    private static Object modelBehind(Object handler) {
        return Langchain4jFields.find(handler, 3, (field, value) -> field.equals("chatModel") && value != null);
    }

    private static boolean isLangchain4j(Object o) {
        return Langchain4jFields.isLangchain4j(o);
    }

    /**
     * Logs a warning, once per class, when {@code target} retries by itself, or, for a target that is
     * not a langchain4j object (an annotated class of the user's), when one of its own fields holds a
     * langchain4j model (or AiServices proxy) that does: an annotated class holding
     * {@code OpenAiChatModel.builder()...build()} with the default {@code maxRetries = 2} sends up to
     * 9 requests where a policy of 3 attempts was meant. Fields are read on the instance's own class and
     * its superclasses (not JDK classes), one level deep: a model held by an object in a field is not
     * seen. Returns whether it warned now.
     */
    public static boolean warnIfSelfRetrying(Object target, String where) {
        if (target instanceof dev.rebound.runtime.spi.GeneratedWrapper) {
            return false; // another Rebound.wrap wrapper, as its JDK proxy: its own build checked its target
        }
        if (!isLangchain4j(target) && !Proxy.isProxyClass(target.getClass())) {
            return warnForFields(target, where);
        }
        int retries = builtInRetries(target);
        if (retries <= 0 || WARNED.get(target.getClass()).getAndSet(true)) {
            return false;
        }
        LOG.warn("{}: {} has its own retries on (maxRetries = {}): each Rebound attempt may send up to {} "
                + "requests, with waits no Rebound policy sees. Build the model with .maxRetries(0).", where,
                Proxy.isProxyClass(target.getClass()) ? "the model behind this AiServices proxy"
                        : target.getClass().getSimpleName(), retries, retries + 1);
        return true;
    }

    /**
     * The self-retrying langchain4j models in the fields of {@code instance}, as
     * {@code "Class.field" -> maxRetries}, in declaration order; empty when none.
     */
    public static java.util.Map<String, Integer> selfRetryingFields(Object instance) {
        java.util.Map<String, Integer> found = new java.util.LinkedHashMap<>();
        for (Class<?> c = instance.getClass(); c != null && c != Object.class
                && !c.getName().startsWith("java."); c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getType().isPrimitive() || Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
                    continue;
                }
                Object value;
                try {
                    f.setAccessible(true);
                    value = f.get(instance);
                } catch (ReflectiveOperationException | RuntimeException unreadable) {
                    continue; // e.g. a named module that doesn't open its package
                }
                if (value == null || value == instance) {
                    continue;
                }
                int retries = isLangchain4j(value) || Proxy.isProxyClass(value.getClass()) ? builtInRetries(value) : 0;
                if (retries > 0) {
                    found.put(c.getSimpleName() + "." + f.getName(), retries);
                }
            }
        }
        return found;
    }

    private static boolean warnForFields(Object instance, String where) {
        Class<?> holder = instance.getClass();
        if (WARNED.get(holder).get()) {
            return false;
        }
        java.util.Map<String, Integer> found = selfRetryingFields(instance);
        if (found.isEmpty() || WARNED.get(holder).getAndSet(true)) {
            return false;
        }
        found.forEach((field, retries) -> LOG.warn("{}: field {} holds a langchain4j model with its own retries on "
                + "(maxRetries = {}): each Rebound attempt may send up to {} requests, with waits no Rebound policy "
                + "sees. Build the model with .maxRetries(0).", where, field, retries, retries + 1));
        return true;
    }
}
