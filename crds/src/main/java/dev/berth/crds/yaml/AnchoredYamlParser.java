package dev.berth.crds.yaml;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ImplicitTuple;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

import java.io.IOException;
import java.io.StringReader;

/**
 * Jackson's YAML parser, telling the anchor of every token. Jackson forgets the anchor of a scalar value (it clears
 * it before decoding the scalar, and {@code getObjectId()} then says null), hands an alias over as a string, and
 * refuses an alias used as a mapping key; the SnakeYAML event behind each token still knows all of it.
 */
final class AnchoredYamlParser extends YAMLParser {
    private boolean aliasKey;

    private AnchoredYamlParser(IOContext context, Factory factory, StringReader reader) {
        super(context, factory.parserFeatures(), factory.getFormatParserFeatures(), factory.loaderOptions(),
                factory.getCodec(), reader);
    }

    /** The anchor ({@code &name}) on the current value, or on the current key at FIELD_NAME; null when none. */
    String anchor() {
        return _lastEvent instanceof NodeEvent node && !(node instanceof AliasEvent) ? node.getAnchor() : null;
    }

    /** The current token is an alias ({@code *name}, the name is the text), as a value or as a key. */
    boolean isAlias() {
        return currentToken() == JsonToken.FIELD_NAME ? aliasKey : isCurrentAlias();
    }

    /** The current key was written plain: {@code <<} merges, {@code "<<"} is an ordinary key. */
    boolean isPlainKey() {
        return !aliasKey && _lastEvent instanceof ScalarEvent scalar && scalar.isPlain();
    }

    /**
     * Jackson expects a scalar where a key stands; an alias there is passed on as a key whose text is the alias's
     * name, marked so the reader resolves it.
     */
    @Override
    protected Event getEvent() throws IOException {
        Event event = super.getEvent();
        aliasKey = event instanceof AliasEvent && _parsingContext.inObject() && _currToken != JsonToken.FIELD_NAME;
        if (aliasKey) {
            AliasEvent alias = (AliasEvent) event;
            return new ScalarEvent(null, null, new ImplicitTuple(true, false), alias.getAnchor(), alias.getStartMark(),
                    alias.getEndMark(), DumperOptions.ScalarStyle.PLAIN);
        }
        return event;
    }

    /** Jackson's YAML factory with its defaults, making this parser. */
    static final class Factory extends YAMLFactory {
        AnchoredYamlParser open(String text) {
            IOContext context = _createContext(_createContentReference(text), false);
            return new AnchoredYamlParser(context, this, new StringReader(text));
        }

        int parserFeatures() {
            return _parserFeatures;
        }

        LoaderOptions loaderOptions() {
            return _loaderOptions;
        }
    }
}
