<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>zimage::ui::GalleryPanel</name>
    <message numerus="yes">
        <source>Move the %n selected images to the trash?</source>
        <translation>
            <numerusform>Move the selected image to the trash?</numerusform>
            <numerusform>Move the %n selected images to the trash?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n image</numerusform>
            <numerusform>%n images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Moved %n image(s) to the trash.</source>
        <translation>
            <numerusform>Moved %n image to the trash.</numerusform>
            <numerusform>Moved %n images to the trash.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n images could not be moved to the trash. The first: %1</source>
        <translation>
            <numerusform>The image could not be moved to the trash: %1</numerusform>
            <numerusform>%n images could not be moved to the trash. The first: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>zimage::ui::HistoryPanel</name>
    <message numerus="yes">
        <source>Seed %1 · %2 × %3 · %n step(s)</source>
        <translation>
            <numerusform>Seed %1 · %2 × %3 · %n step</numerusform>
            <numerusform>Seed %1 · %2 × %3 · %n steps</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>zimage::ui::MainWindow</name>
    <message numerus="yes">
        <source>Saved %n image(s) to %1.</source>
        <translation>
            <numerusform>Saved %n image to %1.</numerusform>
            <numerusform>Saved %n images to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>zimage::ui::ResultView</name>
    <message numerus="yes">
        <source>Generating %n images…</source>
        <translation>
            <numerusform>Generating %n image…</numerusform>
            <numerusform>Generating %n images…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>zimage::ui::SettingsDialog</name>
    <message numerus="yes">
        <source>Found %n model(s); click one to use it.</source>
        <translation>
            <numerusform>Found %n model; click one to use it.</numerusform>
            <numerusform>Found %n models; click one to use it.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>zimage::ui::SparklineWidget</name>
    <message numerus="yes">
        <source>Last %n second(s): lowest %1, highest %2, now %3</source>
        <translation>
            <numerusform>Last %n second: lowest %1, highest %2, now %3</numerusform>
            <numerusform>Last %n seconds: lowest %1, highest %2, now %3</numerusform>
        </translation>
    </message>
</context>
</TS>
