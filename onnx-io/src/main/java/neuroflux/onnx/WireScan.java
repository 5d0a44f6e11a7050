package neuroflux.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * A pass over a protobuf file's wire format, before parsing it, that bounds what parsing would build.
 *
 * <p>Parsing turns every message, string and unknown field into a Java object of some tens of bytes, from as
 * little as two bytes of file: a 50 MB file of empty nodes would become gigabytes of objects, and deeply nested
 * unknown groups would exhaust the stack. So this walks the file with the schema's descriptors, counting each
 * message, string, bytes field and unknown field (numbers in known numeric fields cost no more than their bytes
 * and are not counted), and refuses files with more than {@link #MAX_ITEMS} of them or nested more than
 * {@link #MAX_DEPTH} deep. Real models are far below both.
 */
final class WireScan {
    /** Nesting of messages and groups; a CNN's graph nests five or six levels. */
    static final int MAX_DEPTH = 48;
    /** Objects parsing may create; a model of 100,000 nodes holds about two million. */
    static final long MAX_ITEMS = 1L << 22;

    private final String what;
    private long items;

    private WireScan(String what) {
        this.what = what;
    }

    /**
     * Checks {@code bytes} as a serialized {@code type}; a malformed file is an {@link InvalidProtocolBufferException},
     * one beyond the limits a {@link BadInputException}.
     */
    static void check(byte[] bytes, Descriptor type, String what) throws InvalidProtocolBufferException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        try {
            int end = new WireScan(what).fields(in, type, 0);
            if (end != 0) throw new InvalidProtocolBufferException("an end-group tag without its group");
        } catch (InvalidProtocolBufferException | BadInputException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e.getMessage());
        }
    }

    /** Reads fields to the end of the current limit or to an end-group tag, which it returns (else 0). */
    private int fields(CodedInputStream in, Descriptor type, int depth) throws IOException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0) return 0;
            int wire = WireFormat.getTagWireType(tag);
            if (wire == WireFormat.WIRETYPE_END_GROUP) return tag;
            int number = WireFormat.getTagFieldNumber(tag);
            FieldDescriptor f = type == null ? null : type.findFieldByNumber(number);
            if (f != null && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                count();
                int length = in.readRawVarint32();
                if (length < 0) throw new InvalidProtocolBufferException("a negative length");
                int outer = in.pushLimit(length);
                if (fields(in, f.getMessageType(), deeper(depth)) != 0) {
                    throw new InvalidProtocolBufferException("an end-group tag without its group");
                }
                in.popLimit(outer);
            } else if (wire == WireFormat.WIRETYPE_START_GROUP) {
                // unknown to the schema, but parsing keeps it: walked here so that its depth is bounded
                count();
                if (fields(in, null, deeper(depth)) != (number << 3 | WireFormat.WIRETYPE_END_GROUP)) {
                    throw new InvalidProtocolBufferException("a group that is not closed");
                }
            } else {
                if (f == null || f.getJavaType() == FieldDescriptor.JavaType.STRING
                        || f.getJavaType() == FieldDescriptor.JavaType.BYTE_STRING) {
                    count();
                }
                if (!in.skipField(tag)) throw new InvalidProtocolBufferException("an unexpected end-group tag");
            }
        }
    }

    private int deeper(int depth) {
        if (depth + 1 > MAX_DEPTH) {
            throw new BadInputException(what + " nests messages more than " + MAX_DEPTH
                    + " levels deep, which no real model does");
        }
        return depth + 1;
    }

    private void count() {
        if (++items > MAX_ITEMS) {
            throw new BadInputException(what + " holds more than " + MAX_ITEMS + " protobuf fields (nodes, names,"
                    + " dimensions...), more structure than neuroflux accepts");
        }
    }
}
