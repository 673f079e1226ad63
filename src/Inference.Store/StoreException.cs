namespace Inference.Store;

/// <summary>The store cannot be opened or used (locked by another process, newer schema, corrupt file).</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
