package dev.berth.reconcilers;
