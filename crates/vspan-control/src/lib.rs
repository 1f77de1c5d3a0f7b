//! vspan-control
