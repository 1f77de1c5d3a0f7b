//! vspan-model
