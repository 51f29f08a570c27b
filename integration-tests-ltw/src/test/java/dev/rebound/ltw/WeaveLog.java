package dev.rebound.ltw;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aspectj.bridge.IMessage;
import org.aspectj.bridge.IMessageHandler;

/**
 * The load-time weaver's messages, kept for the tests to read (set as {@code -XmessageHandlerClass}
 * in src/test/resources/META-INF/aop.xml). Warnings and errors are also printed, as AspectJ would.
 */
public final class WeaveLog implements IMessageHandler {

    private static final List<String> MESSAGES = new CopyOnWriteArrayList<>();

    /** Every message of this JVM's weavers so far. */
    public static List<String> messages() {
        return List.copyOf(MESSAGES);
    }

    /** Whether the weaver wove the class named {@code name} (it logs every class it is shown). */
    public static boolean wove(String name) {
        return MESSAGES.contains("weaving '" + name + "'");
    }

    /** Whether the weaver took {@code type} as a class ajc had woven and wove it again. */
    public static boolean rewove(Class<?> type) {
        String processing = "processing reweavable type " + type.getName() + ":";
        return MESSAGES.stream().anyMatch(m -> m.startsWith(processing));
    }

    @Override
    public boolean handleMessage(IMessage message) {
        MESSAGES.add(message.getMessage());
        if (IMessage.WARNING.isSameOrLessThan(message.getKind())) {
            System.err.println("[aspectj] " + message);
        }
        return true;
    }

    @Override
    public boolean isIgnoring(IMessage.Kind kind) {
        return false;
    }

    @Override
    public void dontIgnore(IMessage.Kind kind) {
    }

    @Override
    public void ignore(IMessage.Kind kind) {
    }
}
