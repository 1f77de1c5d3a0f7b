//! vspan-store
