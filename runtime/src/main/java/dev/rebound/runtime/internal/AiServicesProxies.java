package dev.rebound.runtime.internal;

import dev.rebound.runtime.spi.MethodDiagnostics;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A retry or a fallback around a langchain4j AiServices proxy (an assistant): each attempt calls the
 * assistant again, and an assistant does more per call than ask its model. langchain4j's
 * {@code DefaultAiServices} adds the user's message to the chat memory before the model is asked, so a
 * retried call sends the question twice and leaves it twice in memory; it runs the tools the model asks for
 * (a tool with side effects runs again), and its retrieval augmentor retrieves again. A policy on the
 * {@code ChatModel} the assistant uses retries only the request that failed. Said at WARN, once per wrapper,
 * naming what the assistant repeats, read from langchain4j's {@code AiServiceContext} (its public
 * {@code hasChatMemory()}, {@code toolService}, {@code retrievalAugmentor}); a context that can't be read
 * (another langchain4j version, a closed module) gets the general warning. A stateless assistant (none of
 * the three) is not warned about: running it again repeats nothing.
 */
public final class AiServicesProxies {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    private static final String CONTEXT = "dev.langchain4j.service.AiServiceContext";

    private AiServicesProxies() {
    }

    /** Whether {@code target} is an AiServices proxy: a JDK proxy whose invocation handler is langchain4j's. */
    public static boolean isAiServicesProxy(Object target) {
        return Proxy.isProxyClass(target.getClass())
                && Proxy.getInvocationHandler(target).getClass().getName().startsWith("dev.langchain4j.service.");
    }

    /**
     * Logs one warning when {@code target} is an AiServices proxy with chat memory, tools or retrieval (or
     * one whose context can't be read) and some of {@code policies} retry it or fall back from it.
     *
     * @param where how the warning names the door, {@code Rebound.wrap(Assistant)}
     * @return whether it warned
     */
    public static boolean warnIfRepeated(Object target, String where, Map<Method, ResilientMethod> policies) {
        if (!isAiServicesProxy(target)) {
            return false;
        }
        List<String> methods = new ArrayList<>();
        for (ResilientMethod p : policies.values()) {
            if (p instanceof MethodDiagnostics d
                    && (d.primaryRetry().attempts() > 1 || !d.alternatives().isEmpty())) {
                methods.add(d.name());
            }
        }
        if (methods.isEmpty()) {
            return false;
        }
        methods.sort(null); // reflection lists methods in no fixed order
        List<String> repeats = repeats(target);
        if (repeats != null && repeats.isEmpty()) {
            return false; // a stateless assistant: calling it again repeats nothing but the request
        }
        String what = repeats == null
                ? "whatever it does per call is done again (the user's message added to its chat memory, if it has"
                        + " one, and sent to the model twice; the tools the model asks for run again; retrieval again)"
                : String.join("; ", repeats);
        LOG.warn("{}: the policy of {} retries or falls back from an AiServices assistant, and each attempt calls the"
                + " whole assistant again: {}. Put the retry and the fallbacks on the ChatModel (or StreamingChatModel)"
                + " the assistant is built on, Rebound.wrap(ChatModel.class, model).withRetry(...).withFallbacks(...),"
                + " which retries only the request that failed; keep them on the assistant only if it has no chat"
                + " memory, tools or retrieval (docs/guides/langchain4j.md)", where, String.join(", ", methods), what);
        return true;
    }

    /**
     * What a call of the AiServices proxy {@code proxy} does again when it is called again, in words; empty
     * for none; null when its context can't be read.
     */
    static List<String> repeats(Object proxy) {
        // the handler holds the service (as its outer instance), which holds the context
        Object context = Langchain4jFields.find(Proxy.getInvocationHandler(proxy), 2,
                (field, value) -> isContext(value));
        if (context == null) {
            return null;
        }
        try {
            List<String> out = new ArrayList<>();
            if (Boolean.TRUE.equals(context.getClass().getMethod("hasChatMemory").invoke(context))) {
                out.add("the user's message is added to its chat memory again, and sent to the model twice");
            }
            Object tools = context.getClass().getField("toolService").get(context);
            if (tools != null && (nonEmpty(tools, "toolSpecifications") || nonEmpty(tools, "toolProviders"))) {
                out.add("the tools the model asks for run again (a tool with side effects acts twice;"
                        + " @NonIdempotent cannot see them)");
            }
            if (context.getClass().getField("retrievalAugmentor").get(context) != null) {
                out.add("its retrieval augmentor retrieves again");
            }
            return out;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unreadable) {
            return null; // another langchain4j version, a closed module: the general warning
        }
    }

    private static boolean nonEmpty(Object owner, String method) throws ReflectiveOperationException {
        Object value = owner.getClass().getMethod(method).invoke(owner);
        return value instanceof Collection<?> c ? !c.isEmpty() : value != null;
    }

    /** Whether {@code value}'s class is langchain4j's {@code AiServiceContext} or a subclass of it. */
    private static boolean isContext(Object value) {
        for (Class<?> c = value == null ? null : value.getClass(); c != null && c != Object.class;
                c = c.getSuperclass()) {
            if (c.getName().equals(CONTEXT)) {
                return true;
            }
        }
        return false;
    }
}
